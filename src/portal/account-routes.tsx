import type { FastifyInstance } from 'fastify';
import { clientIp } from '../platform/http.tsx';
import { audit } from './audit-events.ts';
import type { Profile } from './schema.ts';
import { parseForm, secret } from '../platform/forms.ts';
import { FormPage, TextField, type FieldErrors } from '../platform/views/form.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { endFlow } from './flow-repository.ts';
import { minutesUntil } from './account-locks.ts';
import { LockedPage } from './login-routes.tsx';
import { changePassword } from './password-change.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { findProfileById } from './profile-repository.ts';
import { countSessions, endAllSessions } from './session-repository.ts';
import type { SignedInProfile } from './sessions.ts';
import { formatDate } from './person-fields.ts';
import { lastAdministratorReset } from '../directory/index.ts';
import type { Portal } from './context.ts';
import { portalAccess } from './route-access.ts';

const changeFields = {
  currentPassword: secret('Enter your current password'),
  password: secret('Enter a new password'),
  passwordConfirm: secret('Enter the new password again'),
};

export function registerAccountRoutes(app: FastifyInstance, portal: Portal) {
  app.get('/account', portalAccess.self('one’s own profile'), async (request, reply) => {
    // The session carries only who the person is; the summary shows their whole profile.
    const { id } = portalAccess.actorOf(request);
    const [profile, sessions] = await Promise.all([findProfileById(portal.db, id), countSessions(portal.db, id)]);
    return reply.page(<AccountPage ctx={request.view} profile={profile!} sessions={sessions} />);
  });

  /** Issue 11: a person made to change a password an administrator reset is told who did it, and when. */
  const resetBy = async (profile: SignedInProfile) =>
    profile.must_change_password ? lastAdministratorReset(portal.db, profile.id) : undefined;

  app.get('/account/password', portalAccess.self('one’s own password'), async (request, reply) => {
    const { profile } = request.session!;
    return reply.page(
      <ChangePasswordPage
        ctx={request.view}
        policy={portal.accounts.policy}
        mustChange={profile.must_change_password}
        resetBy={await resetBy(profile)}
      />,
    );
  });

  app.post('/account/password', portalAccess.self('one’s own password'), async (request, reply) => {
    const { profile, idHash } = request.session!;
    const render = async (errors: FieldErrors, status = 422) =>
      reply.page(
        <ChangePasswordPage
          ctx={request.view}
          policy={portal.accounts.policy}
          mustChange={profile.must_change_password}
          resetBy={await resetBy(profile)}
          errors={errors}
        />,
        status,
      );
    const form = parseForm(changeFields, request.body);
    if (!form.ok) return render(form.errors);

    const rules = { accounts: portal.accounts, lockout: portal.login.account };
    const result = await changePassword(
      portal.db,
      rules,
      { id: profile.id, sessionIdHash: idHash },
      form.data,
      clientIp(request),
    );
    if (result.outcome === 'locked')
      return reply.page(<LockedPage ctx={request.view} minutes={minutesUntil(result.until)} />, 429);
    if (result.outcome === 'refused') return render(result.errors);
    await portal.singleSignOut({ accountId: profile.id, exceptBrowserCookies: request.cookies });
    return reply.redirect('/account/password/done', 303);
  });

  app.get('/account/password/done', portalAccess.self('one’s own password'), async (request, reply) => {
    return reply.page(
      <Layout ctx={request.view} title="Your password has been changed" outcome="password-changed">
        <h1>Your password has been changed</h1>
        <p class="usa-intro">
          Use your new password the next time you log in. Any other place you were logged in has been signed out.
        </p>
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

  app.post('/account/sessions/end', portalAccess.self('one’s own sessions'), async (request, reply) => {
    const profile = request.session!.profile;
    const ended = await endAllSessions(portal.db, profile.id);
    await portal.singleSignOut({ accountId: profile.id });
    await audit(portal.db, {
      type: 'sessions.ended',
      actorId: profile.id,
      subjectId: profile.id,
      ip: clientIp(request),
      detail: { sessions: ended },
    });
    reply.clearCookie(portal.cookies.session, portal.cookieOptions);
    // Like logging out: what the wizard showed on this device goes too.
    await endFlow(portal.db, request.cookies[portal.cookies.flow]);
    reply.clearCookie(portal.cookies.flow, portal.cookieOptions);
    return reply.redirect('/?signedOut=1', 303);
  });
}

type ResetBy = Awaited<ReturnType<typeof lastAdministratorReset>>;

function ChangePasswordPage(props: {
  ctx: ViewContext;
  policy: PasswordPolicy;
  mustChange: boolean;
  resetBy?: ResetBy;
  errors?: FieldErrors;
}) {
  const by = props.resetBy;
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
              {by && (
                <p class="usa-alert__text" data-reset-by>
                  Your password was reset by {by.first_name} {by.last_name},{' '}
                  {by.of_department ? 'of the Department' : 'Directory Administrator'}, on{' '}
                  <time datetime={by.at.toISOString()}>{by.at.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>.
                  If you did not ask for this, call the help desk.
                </p>
              )}
              <p class="usa-alert__text">You must choose a new password before you continue.</p>
            </div>
          </div>
        ) : undefined
      }
    >
      <TextField
        name="currentPassword"
        label="Current password"
        type="password"
        error={props.errors?.currentPassword}
        autocomplete="current-password"
        width="lg"
      />
      <TextField
        name="password"
        label="New password"
        type="password"
        hint={props.policy.description}
        error={props.errors?.password}
        autocomplete="new-password"
        width="lg"
      />
      <TextField
        name="passwordConfirm"
        label="Confirm new password"
        type="password"
        error={props.errors?.passwordConfirm}
        autocomplete="new-password"
        width="lg"
      />
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
