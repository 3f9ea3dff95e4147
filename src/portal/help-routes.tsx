import type { ComponentChildren } from 'preact';
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from './context.ts';
import type { PasswordPolicy } from './password-policy.ts';

const TOPICS: ReadonlyArray<{ href: string; label: string; summary: string }> = [
  {
    href: '/help/about',
    label: 'About the Security Portal',
    summary: 'What the portal is and which applications you can use.',
  },
  {
    href: '/help/create',
    label: 'Create a User Name or profile',
    summary: 'How to get a User Name, and what can happen when you do.',
  },
  {
    href: '/help/find',
    label: 'Forgot your User Name or password',
    summary: 'How to get back into your account.',
  },
  {
    href: '/help/change',
    label: 'Change your password',
    summary: 'How to choose a new password when you are logged in.',
  },
  {
    href: '/help/directory-administrator',
    label: 'Find your Directory Administrator',
    summary: 'Who gives school and district staff access to applications, and how to reach them.',
  },
];

export function registerHelpRoutes(app: FastifyInstance, portal: Portal): void {
  const help = publicRoute('help');
  const policy = portal.accounts.policy;
  app.get('/help', help, async (request, reply) => reply.page(<HelpIndex ctx={request.view} />));
  app.get('/help/about', help, async (request, reply) => reply.page(<AboutHelp ctx={request.view} />));
  app.get('/help/create', help, async (request, reply) =>
    reply.page(<CreateHelp ctx={request.view} policy={policy} />),
  );
  app.get('/help/find', help, async (request, reply) => reply.page(<FindHelp ctx={request.view} policy={policy} />));
  app.get('/help/change', help, async (request, reply) =>
    reply.page(<ChangeHelp ctx={request.view} policy={policy} />),
  );
  app.get('/help/directory-administrator', help, async (request, reply) =>
    reply.page(<DirectoryAdministratorHelp ctx={request.view} />),
  );
}

interface PageProps {
  ctx: ViewContext;
}

interface PolicyPageProps extends PageProps {
  policy: PasswordPolicy;
}

function HelpPage({ ctx, title, children }: PageProps & { title: string; children: ComponentChildren }) {
  return (
    <Layout ctx={ctx} title={title}>
      <div class="grid-row grid-gap">
        <div class="tablet:grid-col-4">
          <HelpNav current={ctx.path} />
        </div>
        <div class="tablet:grid-col-8 usa-prose">
          {children}
          <HelpDesk ctx={ctx} />
        </div>
      </div>
    </Layout>
  );
}

function HelpNav({ current }: { current: string }) {
  const items = [{ href: '/help', label: 'Help topics' }, ...TOPICS];
  return (
    <nav aria-label="Help topics">
      <ul class="usa-sidenav">
        {items.map(({ href, label }) => (
          <li key={href} class="usa-sidenav__item">
            <a
              href={href}
              class={current === href ? 'usa-current' : undefined}
              aria-current={current === href ? 'page' : undefined}
            >
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function HelpDesk({ ctx }: PageProps) {
  return (
    <>
      <h2>Contact the help desk</h2>
      <p>
        If you are still stuck, call the help desk on <HelpDeskPhone ctx={ctx} />.
      </p>
      <p>Opening hours: {ctx.helpdesk.hours}</p>
    </>
  );
}

function HelpIndex({ ctx }: PageProps) {
  return (
    <HelpPage ctx={ctx} title="Help">
      <h1>Help with the Security Portal</h1>
      <p class="usa-intro">
        Find out how to get a User Name, log in, and get back into your account if you are locked out.
      </p>
      <h2>Help topics</h2>
      <ul class="usa-list">
        {TOPICS.map(({ href, label, summary }) => (
          <li key={href}>
            <a href={href}>{label}</a>: {summary}
          </li>
        ))}
      </ul>
    </HelpPage>
  );
}

function AboutHelp({ ctx }: PageProps) {
  return (
    <HelpPage ctx={ctx} title="About the Security Portal">
      <h1>About the Security Portal</h1>
      <p class="usa-intro">
        The Security Portal lets you use the Department's online services with one User Name and one password.
      </p>
      <p>
        When you log in, you can open every application you have permission to use. You do not need to log in again for
        each one.
      </p>
      <h2>ELAR: Educator Licensure And Renewal</h2>
      <p>Anyone with a profile can use ELAR, the Department's online licensure service. In ELAR you can:</p>
      <ul class="usa-list">
        <li>
          find out what a license needs before you apply: the degrees, tests and programs for each license and route
          (see <a href="/elar/requirements">license requirements</a>; no login needed);
        </li>
        <li>apply for one or more licenses, or advance a license you hold to the next level;</li>
        <li>pay the application fee online by card, once, now or later;</li>
        <li>follow the status of your applications as it changes, on your ELAR Welcome Page;</li>
        <li>withdraw an application you no longer need;</li>
        <li>see the licenses you hold, and change your password.</li>
      </ul>
      <p>
        To renew a Professional license, call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />.
      </p>
      <p>
        You get a profile by <a href="/help/create">creating a User Name</a>.
      </p>
      <h2>Applications for school and district staff</h2>
      <p>Some applications are only for people who work for a school, district or other organization. These include:</p>
      <ul class="usa-list">
        <li>Directory Administration</li>
        <li>MDCS</li>
        <li>SIMS</li>
        <li>Drop Box Central</li>
        <li>NCLB Report Card Assistant</li>
        <li>TechPlan</li>
        <li>student and educator data collections</li>
      </ul>
      <p>
        To use them, you need permission from your organization's Directory Administrator. Having a profile is not
        enough on its own.{' '}
        <a href="/help/directory-administrator">Find out how to reach your Directory Administrator</a>.
      </p>
      <p>
        <a class="usa-button" href="/login">
          Log in
        </a>
      </p>
    </HelpPage>
  );
}

function CreateHelp({ ctx, policy }: PolicyPageProps) {
  return (
    <HelpPage ctx={ctx} title="Create a User Name or profile">
      <h1>Create a User Name or profile</h1>
      <p class="usa-intro">You need a profile to log in to the Security Portal and use ELAR.</p>
      <p>
        You may already have a User Name if you have applied for a license before, or worked for a school or district in
        the state. Create a profile anyway: if we find you, we will tell you your User Name.
      </p>
      <h2>What you will be asked</h2>
      <p>It takes 4 pages:</p>
      <ol class="usa-list">
        <li>who you are</li>
        <li>how to contact you</li>
        <li>your background: a previous last name and a previous educator license number, if you have them</li>
        <li>{policy.allowsHints ? 'a password hint question and answer, and your password' : 'your password'}</li>
      </ol>
      <p>You can then check your answers and change them before you submit.</p>
      <p>We use this information only to identify you and run our services. We do not share or sell it.</p>
      <h2>Your User Name and MEPID</h2>
      <p>Your User Name is chosen for you. It never changes. Capital letters matter: type it exactly as it is shown.</p>
      <p>You also get a MEPID. This is an 8-digit Education Personnel ID. It belongs only to you.</p>
      <div class="usa-alert usa-alert--warning usa-alert--slim">
        <div class="usa-alert__body">
          <p class="usa-alert__text">
            Write down your User Name, MEPID and password and keep them somewhere safe. We do not send an email to
            confirm them.
          </p>
        </div>
      </div>
      <h2>What can happen when you submit</h2>
      <p>We compare your details with the records we already hold. One of 4 things will happen.</p>
      <h3>You are new to us</h3>
      <p>We create your profile and show you your User Name and MEPID.</p>
      <h3>Someone has already started a profile for you</h3>
      <p>
        Your school, district or the Department may have added you already. You finish the profile by choosing{' '}
        {policy.allowsHints ? 'a password hint question and answer, and a password' : 'a password'}. We then show you
        your User Name.
      </p>
      <h3>Some of your details match ours, but some do not</h3>
      <p>
        We cannot finish your profile until the difference is fixed. Contact your{' '}
        <a href="/help/directory-administrator">Directory Administrator</a> or the help desk.
      </p>
      <h3>You already have a profile</h3>
      <p>We remind you of your User Name.</p>
      <AfterMatch policy={policy} />
      <p>
        <a class="usa-button" href="/profile/new">
          Create a profile
        </a>
      </p>
    </HelpPage>
  );
}

/** What a person can do about their password once the portal has matched them to a profile. */
function AfterMatch({ policy }: { policy: PasswordPolicy }) {
  if (policy.allowsHints) {
    return <p>You can then set a new password after you answer your password hint question.</p>;
  }
  return (
    <p>
      If you do not know your password, contact your <a href="/help/directory-administrator">Directory Administrator</a>{' '}
      or the help desk to reset it.
    </p>
  );
}

function FindHelp({ ctx, policy }: PolicyPageProps) {
  return (
    <HelpPage ctx={ctx} title="Forgot your User Name or password">
      <h1>Forgot your User Name or password</h1>
      <p class="usa-intro">You can get your User Name back and reset your password online.</p>
      <h2>Check how you typed them</h2>
      <p>
        User Names and passwords are case-sensitive. Check that you are using capital letters in the same places as
        before, and that Caps Lock is off.
      </p>
      <h2>Retrieve your User Name or reset your password</h2>
      <p>
        Use <a href="/account/recover">Retrieve User Name / Reset Password</a>.
      </p>
      <p>
        It will look as if you are creating a new profile. This is normal. When your details match a profile we hold, we
        remind you of your User Name.
      </p>
      <AfterMatch policy={policy} />
      {policy.allowsHints && (
        <p>Type your hint answer exactly as you first entered it. Capital letters, spaces and punctuation all count.</p>
      )}
      <h2>If you use the portal for your school or district</h2>
      <p>
        Your organization's Directory Administrator can reset your password or unlock your account. If you also hold an
        educator license, you can use Retrieve User Name / Reset Password instead.
      </p>
      <h2>Find your Directory Administrator</h2>
      <p>
        If you use the portal for your school or district,{' '}
        <a href="/help/directory-administrator">find out how to reach your Directory Administrator</a>.
      </p>
    </HelpPage>
  );
}

function ChangeHelp({ ctx, policy }: PolicyPageProps) {
  return (
    <HelpPage ctx={ctx} title="Change your password">
      <h1>Change your password</h1>
      <p class="usa-intro">You can change your password at any time once you have logged in.</p>
      <h2>How to change it</h2>
      <ol class="usa-list">
        <li>
          <a href="/login">Log in</a>.
        </li>
        <li>
          Choose Change Password. It is on the <a href="/elar">ELAR Welcome Page</a> and on{' '}
          <a href="/account">your account page</a>.
        </li>
        <li>Enter your current password, then your new password twice.</li>
      </ol>
      <h2>Password rules</h2>
      <p>{policy.description}</p>
      <h2>If you have forgotten your password</h2>
      <p>
        You cannot change it without your current password. Instead, follow the steps in{' '}
        <a href="/help/find">Forgot your User Name or password</a>.
      </p>
    </HelpPage>
  );
}

function DirectoryAdministratorHelp({ ctx }: PageProps) {
  return (
    <HelpPage ctx={ctx} title="Find your Directory Administrator">
      <h1>Find your Directory Administrator</h1>
      <p class="usa-intro">
        A Directory Administrator decides who at a school, district or other organization can use the applications for
        school and district staff.
      </p>
      <h2>What they can do for you</h2>
      <ul class="usa-list">
        <li>give you access to an application, or take it away;</li>
        <li>add you to their organization's staff;</li>
        <li>reset your password or unlock your account;</li>
        <li>correct the records behind a profile that could not be set up.</li>
      </ul>
      <h2>How to find yours</h2>
      <p>
        Search the <a href="/directory-administrators">list of Directory Administrators</a> by the name or code of your
        school or district. A school's administrators may be those of its district.
      </p>
      <p>
        Not every organization has one. If yours is not listed, ask your school or district office, or call the help
        desk.
      </p>
    </HelpPage>
  );
}
