import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../platform/access.ts';
import { audit } from './audit-events.ts';
import { parseForm } from '../platform/forms.ts';
import { clientIp } from '../platform/http.tsx';
import { FormPage, TextField, type FieldErrors, type FormValues } from '../platform/views/form.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { minutesUntil } from './account-locks.ts';
import type { Portal } from './context.ts';
import { endFlow } from './flow-repository.ts';
import { logIn } from './login.ts';
import { endSession } from './session-repository.ts';
import { startSession } from './sessions.ts';

const loginFields = {
  username: z.string().min(1, 'Enter your User Name').max(100, 'Enter your User Name'),
  password: z.string().min(1, 'Enter your password').max(256, 'Enter your password'),
};

/** The one message for any wrong User Name/password pair: it never says which was wrong. */
export const LOGIN_FAILED =
  'The User Name or password is not right. Both are case-sensitive: check Caps Lock and try again.';

/**
 * Only a path on this site: never `//elsewhere` or `/\elsewhere`, which browsers treat as
 * hosts. It goes into a Location header, which carries only visible ASCII: anything else
 * is percent-encoded here, so the redirect can always be sent once the login is recorded.
 */
export function safeReturnTo(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500 || !value.isWellFormed()) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (/[\u0000-\u001F\u007F\\]/.test(value)) return undefined;
  return value.replace(/[^\u0021-\u007E]/gu, (c) => encodeURIComponent(c));
}

export function registerLoginRoutes(app: FastifyInstance, portal: Portal) {
  app.get('/login', publicRoute('login'), async (request, reply) => {
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).returnTo);
    if (request.session) return reply.redirect(returnTo ?? '/', 303);
    return reply.page(<LoginPage ctx={request.view} values={{}} returnTo={returnTo} />);
  });

  app.post('/login', publicRoute('login'), async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const returnTo = safeReturnTo(body?.returnTo);
    const form = parseForm(loginFields, body);
    if (!form.ok) {
      return reply.page(
        <LoginPage ctx={request.view} values={form.values} errors={form.errors} returnTo={returnTo} />,
        422,
      );
    }
    const result = await logIn(portal.db, portal.login, {
      userName: form.data.username,
      password: form.data.password,
      ip: clientIp(request),
    });
    if (result.outcome === 'locked') {
      return reply.page(<LockedPage ctx={request.view} minutes={minutesUntil(result.until)} />, 429);
    }
    if (result.outcome === 'temporary-password-expired') {
      return reply.page(<TemporaryPasswordExpiredPage ctx={request.view} />, 422);
    }
    if (result.outcome === 'invalid') {
      return reply.page(
        <LoginPage ctx={request.view} values={form.values} errors={{ username: LOGIN_FAILED }} returnTo={returnTo} />,
        422,
      );
    }
    await beginSession(portal, request, reply, result.profile.id);
    return reply.redirect(result.profile.must_change_password ? '/account/password' : (returnTo ?? '/'), 303);
  });

  app.post('/logout', publicRoute('logout: ends this browser’s sessions, if any'), async (request, reply) => {
    await portal.singleSignOut({ browserCookies: request.cookies });
    if (request.session) {
      await endSession(portal.db, request.session.idHash);
      await audit(portal.db, {
        type: 'logout',
        actorId: request.session.profile.id,
        subjectId: request.session.profile.id,
        ip: clientIp(request),
      });
    }
    reply.clearCookie(portal.cookies.session, portal.cookieOptions);
    // What the wizard showed on this device (a User Name, a MEPID) goes with the session.
    await endFlow(portal.db, request.cookies[portal.cookies.flow]);
    reply.clearCookie(portal.cookies.flow, portal.cookieOptions);
    return reply.redirect('/?signedOut=1', 303);
  });
}

/** A new session id at every login, so an id planted before login is worthless after it. */
export async function beginSession(portal: Portal, request: FastifyRequest, reply: FastifyReply, profileId: string) {
  if (request.session) await endSession(portal.db, request.session.idHash);
  const token = await startSession(portal.db, profileId, portal.config.session, {
    ip: clientIp(request),
    userAgent: request.headers['user-agent'] ?? null,
  });
  reply.setCookie(portal.cookies.session, token, portal.cookieOptions);
}

function LoginPage(props: {
  ctx: ViewContext;
  values: FormValues;
  errors?: FieldErrors;
  returnTo: string | undefined;
}) {
  return (
    <FormPage
      ctx={props.ctx}
      title="Log in"
      action="/login"
      errors={props.errors}
      submitLabel="Log in"
      intro={<p>Use the User Name and password of your profile. Both are case-sensitive.</p>}
      after={
        <ul class="usa-list margin-top-4">
          <li>
            <a href="/account/recover">Forgot your User Name or password?</a>
          </li>
          <li>
            First time here? <a href="/profile/new">Create a profile</a>
          </li>
        </ul>
      }
    >
      {props.returnTo && <input type="hidden" name="returnTo" value={props.returnTo} />}
      <TextField
        name="username"
        label="User Name"
        value={props.values.username}
        error={props.errors?.username}
        autocomplete="username"
        spellcheck={false}
        width="lg"
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        error={props.errors?.password}
        autocomplete="current-password"
        width="lg"
      />
    </FormPage>
  );
}

export function LockedPage({ ctx, minutes }: { ctx: ViewContext; minutes: number }) {
  return (
    <Layout ctx={ctx} title="Too many attempts" outcome="locked">
      <h1>Too many attempts</h1>
      <p class="usa-intro">
        For your security, signing in with these details is paused for {minutes} {minutes === 1 ? 'minute' : 'minutes'}.
      </p>
      <p>
        Wait and try again, or <a href="/account/recover">retrieve your User Name or reset your password</a>. Staff of a
        school or district can ask their Directory Administrator to unlock their account.
      </p>
      <p>
        For help, call the Licensure Help Desk at {ctx.helpdesk.phone}, {ctx.helpdesk.hours}.
      </p>
    </Layout>
  );
}

/** The hint question's lock pauses only the reset: the password itself still works (P5). */
export function HintLockedPage({ ctx, minutes }: { ctx: ViewContext; minutes: number }) {
  return (
    <Layout ctx={ctx} title="Too many attempts" outcome="locked">
      <h1>Too many attempts</h1>
      <p class="usa-intro">
        Resetting your password with your hint question is paused for {minutes} {minutes === 1 ? 'minute' : 'minutes'}:
        the answer was not right too many times.
      </p>
      <p>
        If you know your password, you can still <a href="/login">log in</a>. Otherwise wait and try again. Staff of a
        school or district can ask their Directory Administrator to reset their password.
      </p>
      <p>
        For help, call the Licensure Help Desk at {ctx.helpdesk.phone}, {ctx.helpdesk.hours}.
      </p>
    </Layout>
  );
}

function TemporaryPasswordExpiredPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="Your temporary password has expired" outcome="temporary-password-expired">
      <h1>Your temporary password has expired</h1>
      <p class="usa-intro">A temporary password works for three days. This one was not used in time.</p>
      <p>
        Ask your Directory Administrator to reset your password again, or{' '}
        <a href="/account/recover">retrieve your User Name or reset your password</a> yourself. For help, call the
        Licensure Help Desk at {ctx.helpdesk.phone}, {ctx.helpdesk.hours}.
      </p>
    </Layout>
  );
}
