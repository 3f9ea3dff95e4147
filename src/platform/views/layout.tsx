import type { ComponentChildren } from 'preact';

/** What every page needs from the request: who is signed in, the help desk, a CSRF token. */
export interface ViewContext {
  helpdesk: { phone: string; hours: string };
  user: { userName: string; displayName: string } | null;
  csrfToken: () => string;
  path: string;
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
        <Header ctx={ctx} />
        <main id="main-content" class="usa-section portal-main" data-outcome={outcome} tabIndex={-1}>
          <div class="grid-container">{children}</div>
        </main>
        <Footer ctx={ctx} />
      </body>
    </html>
  );
}

function Header({ ctx }: { ctx: ViewContext }) {
  const links: Array<[string, string]> = ctx.user
    ? [
        ['/', 'Home'],
        ['/elar', 'ELAR'],
        ['/account', 'Your account'],
        ['/help', 'Help'],
      ]
    : [
        ['/', 'Home'],
        ['/login', 'Log in'],
        ['/profile/new', 'Create a profile'],
        ['/help', 'Help'],
      ];
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
                <form method="post" action="/logout" class="portal-nav__form">
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
            <a href="/help">Help with the portal</a> · <a href="/directory-administrators">Find your Directory Administrator</a>
          </p>
        </div>
      </div>
    </footer>
  );
}
