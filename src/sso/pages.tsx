import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import type { PortalError } from '../platform/errors.ts';
import { ErrorPage } from '../platform/views/error-page.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { renderDocument } from '../platform/views/render.ts';
import { ssoErrors } from './errors.ts';

/**
 * The provider's own pages (its errors, the logout question, "you have logged out") in the
 * portal's layout and words. They are rendered inside oidc-provider, outside Fastify: no
 * portal session is read there, so the header is the signed-out one (its Log out form would
 * need a CSRF token the provider cannot issue).
 */
function view(site: Site, ctx: KoaContextWithOIDC): ViewContext {
  return { ...site, user: null, path: ctx.path, csrfToken: () => '' };
}

/** What the provider's pages share with every page of the site. */
export type Site = Pick<ViewContext, 'helpdesk' | 'agency' | 'navigation'>;

/** Plain words for what went wrong; the protocol's own description is for the application's developers, not the person. */
function explain(ctx: KoaContextWithOIDC, out: ErrorOut): { title: string; error: PortalError } {
  if (ctx.path.includes('/session/end'))
    return { title: 'Logging out could not be completed', error: ssoErrors.logoutInvalid() };
  const title = 'Sign-in could not be completed';
  if (out.error === 'invalid_redirect_uri') return { title, error: ssoErrors.unknownRedirectUri() };
  if (out.error === 'invalid_client') return { title, error: ssoErrors.unknownApplication() };
  return { title, error: ssoErrors.invalidRequest() };
}

export function providerErrorPage(site: Site, ctx: KoaContextWithOIDC, out: ErrorOut): string {
  const { title, error } = explain(ctx, out);
  return renderDocument(<ErrorPage ctx={view(site, ctx)} title={title} message={error.message} code={error.code} />);
}

/** `form` is the provider's empty form carrying its own anti-forgery token; the button outside it submits it. */
export function logoutQuestionPage(site: Site, ctx: KoaContextWithOIDC, form: string): string {
  return renderDocument(
    <Layout ctx={view(site, ctx)} title="Log out of every application?">
      <h1>Log out of every application?</h1>
      <div dangerouslySetInnerHTML={{ __html: form }} />
      <p class="usa-intro">You will be logged out of the portal and of every application you opened with it.</p>
      <div class="portal-actions">
        <button class="usa-button" type="submit" form="op.logoutForm" name="logout" value="yes">
          Log out
        </button>
        <a class="usa-button usa-button--outline" href="/">
          Stay logged in
        </a>
      </div>
    </Layout>,
  );
}

export function loggedOutPage(site: Site, ctx: KoaContextWithOIDC): string {
  return renderDocument(
    <Layout ctx={view(site, ctx)} title="You have logged out">
      <h1>You have logged out</h1>
      <p class="usa-intro">You have logged out of the portal and of every application you opened with it.</p>
      <p>
        <a href="/login">Log in again</a> or <a href="/">go to the portal home page</a>.
      </p>
    </Layout>,
  );
}
