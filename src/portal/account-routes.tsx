import type { FastifyInstance } from 'fastify';
import { clientIp, requireLogin, type Portal } from '../app.tsx';
import { audit } from '../platform/audit.ts';
import type { Profile } from '../platform/db.ts';
import { parseForm, secret } from '../platform/forms.ts';
import { FormPage, TextField, type FieldErrors } from '../platform/views/form.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { checkNewPassword, replacePassword } from './accounts.ts';
import { endFlow } from './flow-store.ts';
import { verifySecret } from './hashing.ts';
import { LockedPage, minutesUntil } from './login-routes.tsx';
import { accountKey } from './login.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { countSessions, endAllSessions } from './sessions.ts';
import { lockedUntil, recordFailure } from './throttle.ts';
import { formatDate } from './person-fields.ts';

const changeFields = {
  currentPassword: secret('Enter your current password'),
  password: secret('Enter a new password'),
  passwordConfirm: secret('Enter the new password again'),
};

export function registerAccountRoutes(app: FastifyInstance, portal: Portal) {
  app.get('/account', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const sessions = await countSessions(portal.db, request.session!.profile.id);
    return reply.page(<AccountPage ctx={request.view} profile={request.session!.profile} sessions={sessions} />);
  });

  app.get('/account/password', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    return reply.page(
      <ChangePasswordPage ctx={request.view} policy={portal.accounts.policy} mustChange={request.session!.profile.must_change_password} />,
    );
  });

  app.post('/account/password', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const { profile, idHash } = request.session!;
    const render = (errors: FieldErrors, status = 422) =>
      reply.page(
        <ChangePasswordPage ctx={request.view} policy={portal.accounts.policy} mustChange={profile.must_change_password} errors={errors} />,
        status,
      );
    const form = parseForm(changeFields, request.body);
    if (!form.ok) return render(form.errors);

    // A wrong current password counts like a failed login: this form must not become a
    // way around the lockout.
    const key = accountKey(profile.user_name);
    const locked = await lockedUntil(portal.db, [key]);
    if (locked) return reply.page(<LockedPage ctx={request.view} minutes={minutesUntil(locked)} />, 429);
    if (!profile.password_hash || !(await verifySecret(profile.password_hash, form.data.currentPassword))) {
      const nowLocked = await recordFailure(portal.db, key, portal.login.account);
      await audit(portal.db, { type: 'login.failed', actorId: profile.id, subjectId: profile.id, ip: clientIp(request), detail: { form: 'change-password' } });
      if (nowLocked) {
        await audit(portal.db, { type: 'account.locked', subjectId: profile.id, ip: clientIp(request), detail: { scope: 'account' } });
        return reply.page(<LockedPage ctx={request.view} minutes={minutesUntil(new Date(Date.now() + portal.login.account.lockMs))} />, 429);
      }
      return render({ currentPassword: 'Your current password is not right' });
    }
    const problems = await checkNewPassword(portal.db, portal.accounts, {
      password: form.data.password,
      passwordConfirm: form.data.passwordConfirm,
      userName: profile.user_name,
      profileId: profile.id,
    });
    if (Object.keys(problems).length > 0) return render(problems);
    await replacePassword(portal.db, profile.id, form.data.password, {
      type: 'password.changed',
      ip: clientIp(request),
      keepSessionIdHash: idHash,
    });
    await portal.singleSignOut({ accountId: profile.id, exceptBrowserCookies: request.cookies });
    return reply.redirect('/account/password/done', 303);
  });

  app.get('/account/password/done', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    return reply.page(
      <Layout ctx={request.view} title="Your password has been changed" outcome="password-changed">
        <h1>Your password has been changed</h1>
        <p class="usa-intro">Use your new password the next time you log in. Any other place you were logged in has been signed out.</p>
        <p>
          <a class="usa-button" href="/elar">
            Go to ELAR
          </a>{' '}
          <a class="usa-button usa-button--outline" href="/account">
            Your account
          </a>
        </p>
      </Layout>,
    );
  });

  app.post('/account/sessions/end', async (request, reply) => {
    if (!requireLogin(request, reply)) return reply;
    const profile = request.session!.profile;
    const ended = await endAllSessions(portal.db, profile.id);
    await portal.singleSignOut({ accountId: profile.id });
    await audit(portal.db, { type: 'sessions.ended', actorId: profile.id, subjectId: profile.id, ip: clientIp(request), detail: { sessions: ended } });
    reply.clearCookie(portal.cookies.session, portal.cookieOptions);
    // Like logging out: what the wizard showed on this device goes too.
    await endFlow(portal.db, request.cookies[portal.cookies.flow]);
    reply.clearCookie(portal.cookies.flow, portal.cookieOptions);
    return reply.redirect('/?signedOut=1', 303);
  });
}

function ChangePasswordPage(props: { ctx: ViewContext; policy: PasswordPolicy; mustChange: boolean; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={props.ctx}
      title="Change your password"
      action="/account/password"
      errors={props.errors}
      submitLabel="Change password"
      intro={
        props.mustChange ? (
          <div class="usa-alert usa-alert--warning usa-alert--slim margin-bottom-3">
            <div class="usa-alert__body">
              <p class="usa-alert__text">You must choose a new password before you continue.</p>
            </div>
          </div>
        ) : undefined
      }
    >
      <TextField name="currentPassword" label="Current password" type="password" error={props.errors?.currentPassword} autocomplete="current-password" width="lg" />
      <TextField name="password" label="New password" type="password" hint={props.policy.description} error={props.errors?.password} autocomplete="new-password" width="lg" />
      <TextField name="passwordConfirm" label="Confirm new password" type="password" error={props.errors?.passwordConfirm} autocomplete="new-password" width="lg" />
    </FormPage>
  );
}

export function ProfileSummary({ profile }: { profile: Profile }) {
  return (
    <dl class="portal-summary">
      <dt>Name</dt>
      <dd>{[profile.first_name, profile.middle_name, profile.last_name].filter(Boolean).join(' ')}</dd>
      <dt>User Name</dt>
      <dd data-username>{profile.user_name}</dd>
      <dt>MEPID</dt>
      <dd data-mepid>{profile.mepid}</dd>
      {profile.date_of_birth && (
        <>
          <dt>Date of birth</dt>
          <dd>{formatDate(profile.date_of_birth)}</dd>
        </>
      )}
      {profile.email && (
        <>
          <dt>Email</dt>
          <dd>{profile.email}</dd>
        </>
      )}
    </dl>
  );
}

function AccountPage({ ctx, profile, sessions }: { ctx: ViewContext; profile: Profile; sessions: number }) {
  return (
    <Layout ctx={ctx} title="Your account">
      <h1>Your account</h1>
      <ProfileSummary profile={profile} />
      <h2>Password</h2>
      <p>
        <a href="/account/password">Change your password</a>
      </p>
      <h2>Where you are logged in</h2>
      <p>
        You are logged in {sessions === 1 ? 'in 1 place' : `in ${sessions} places`}. Signing out everywhere ends every
        session, including this one.
      </p>
      <form method="post" action="/account/sessions/end">
        <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
        <button type="submit" class="usa-button usa-button--secondary">
          Sign out everywhere
        </button>
      </form>
    </Layout>
  );
}
