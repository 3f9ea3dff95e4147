import { Fragment, type ComponentChildren } from 'preact';
import type { Agency } from '../config.ts';

/** What every page needs from the request: who is signed in, the help desk, the agency, a CSRF token. */
export interface ViewContext {
  helpdesk: { phone: string; hours: string };
  agency: Agency;
  navigation: Navigation;
  user: { userName: string; displayName: string } | null;
  csrfToken: () => string;
  path: string;
}

/** A link: where it goes and its words. */
export type NavLink = [href: string, label: string];

/**
 * The site's own links, which the layout does not know: the modules that have pages decide
 * them, and the composition root hands them in.
 */
export interface Navigation {
  signedIn: NavLink[];
  signedOut: NavLink[];
  /** Where the header's Log out button posts. */
  logout: string;
  /** The help links at the foot of every page. */
  footer: NavLink[];
}

export const SERVICE_NAME = 'Security Portal';

interface LayoutProps {
  ctx: ViewContext;
  title: string;
  hasErrors?: boolean;
  outcome?: string;
  children: ComponentChildren;
}

export function Layout({ ctx, title, hasErrors, outcome, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${hasErrors ? 'Error: ' : ''}${title} - ${SERVICE_NAME}`}</title>
        <link rel="stylesheet" href="/assets/uswds/css/uswds.min.css" />
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="icon" href="/assets/uswds/img/favicons/favicon.ico" />
      </head>
      <body>
        <a class="usa-skipnav" href="#main-content">
          Skip to main content
        </a>
        <Banner ctx={ctx} />
        <Header ctx={ctx} />
        <main id="main-content" class="usa-section portal-main" data-outcome={outcome} tabIndex={-1}>
          <div class="grid-container">{children}</div>
        </main>
        <Footer ctx={ctx} />
        <Identifier ctx={ctx} />
      </body>
    </html>
  );
}

/**
 * The USWDS official-website banner. Its "Here's how you know" opens as a details element,
 * so it works without JavaScript (the portal's pages run none).
 */
function Banner({ ctx }: { ctx: ViewContext }) {
  const official = `Official website of ${ctx.agency.jurisdiction}`;
  return (
    <section class="usa-banner" aria-label={official}>
      <details class="portal-banner">
        <summary class="portal-banner__summary">
          <span class="grid-container portal-banner__inner">
            <span class="usa-banner__header-text">An official website of {ctx.agency.jurisdiction}</span>{' '}
            <span class="portal-banner__action">Here's how you know</span>
          </span>
        </summary>
        <div class="usa-banner__content grid-container">
          <div class="grid-row grid-gap-lg">
            <div class="usa-banner__guidance tablet:grid-col-6">
              <p>
                <strong>Run by {ctx.agency.name}</strong>
                <br />
                The Security Portal is how the agency's educators and school staff sign in to its online services.
              </p>
            </div>
            <div class="usa-banner__guidance tablet:grid-col-6">
              <p>
                <strong>Secure websites use HTTPS</strong>
                <br />A lock or <strong>https://</strong> means you have safely connected to the website. Share
                sensitive information only on official, secure websites.
              </p>
            </div>
          </div>
        </div>
      </details>
    </section>
  );
}

function Header({ ctx }: { ctx: ViewContext }) {
  const links = ctx.user ? ctx.navigation.signedIn : ctx.navigation.signedOut;
  return (
    <header class="portal-header">
      <div class="grid-container portal-header__inner">
        <a class="portal-header__title" href="/">
          Educator {SERVICE_NAME}
        </a>
        <nav aria-label="Main">
          <ul class="portal-nav">
            {links.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={ctx.path === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
            {ctx.user && (
              <li>
                <form method="post" action={ctx.navigation.logout} class="portal-nav__form">
                  <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
                  <button type="submit" class="usa-button usa-button--unstyled portal-nav__button">
                    Log out <span class="usa-sr-only">{ctx.user.userName}</span>
                  </button>
                </form>
              </li>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}

/** The help-desk number as a link to call it, kept on one line (a number split across lines is misread). */
export function HelpDeskPhone({ ctx }: { ctx: ViewContext }) {
  return (
    <a class="portal-nowrap" href={`tel:${ctx.helpdesk.phone.replace(/[^\d+]/g, '')}`}>
      {ctx.helpdesk.phone}
    </a>
  );
}

function Footer({ ctx }: { ctx: ViewContext }) {
  return (
    <footer class="usa-footer usa-footer--slim">
      <div class="usa-footer__secondary-section">
        <div class="grid-container">
          <h2 class="portal-footer__heading">Need help?</h2>
          <p>
            Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
          </p>
          <p>
            {ctx.navigation.footer.map(([href, label], i) => (
              <Fragment key={href}>
                {i > 0 && ' · '}
                <a href={href}>{label}</a>
              </Fragment>
            ))}
          </p>
        </div>
      </div>
    </footer>
  );
}

/** The USWDS identifier: who runs the site, how to reach them, and the statements every agency site links to. */
function Identifier({ ctx }: { ctx: ViewContext }) {
  const { agency } = ctx;
  const tel = (number: string) => (
    <a class="portal-nowrap" href={`tel:${number.replace(/[^\d+]/g, '')}`}>
      {number}
    </a>
  );
  return (
    <div class="usa-identifier">
      <section class="usa-identifier__section usa-identifier__section--masthead" aria-label="Agency identifier">
        <div class="usa-identifier__container">
          <div class="usa-identifier__identity">
            <p class="usa-identifier__identity-domain">{agency.name}</p>
            <p class="usa-identifier__identity-disclaimer">An official website of {agency.jurisdiction}</p>
            <p class="portal-identifier__contact">
              {agency.address} · Voice: {tel(agency.phone)} · TTY: {tel(agency.tty)}
            </p>
          </div>
        </div>
      </section>
      <nav class="usa-identifier__section usa-identifier__section--required-links" aria-label="Important links">
        <div class="usa-identifier__container">
          <ul class="usa-identifier__required-links-list">
            <li class="usa-identifier__required-links-item">
              <a class="usa-identifier__required-link usa-link" href={agency.privacyUrl}>
                Privacy policy
              </a>
            </li>
            <li class="usa-identifier__required-links-item">
              <a class="usa-identifier__required-link usa-link" href={agency.accessibilityUrl}>
                Accessibility statement
              </a>
            </li>
          </ul>
        </div>
      </nav>
    </div>
  );
}
