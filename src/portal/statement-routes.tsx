import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../platform/access.ts';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { Portal } from './context.ts';

/**
 * The statements every agency site publishes: the privacy policy and the accessibility
 * statement. The footer links to them unless PRIVACY_POLICY_URL / ACCESSIBILITY_URL point
 * to the agency's own.
 */
export function registerStatementRoutes(app: FastifyInstance, portal: Portal): void {
  const minutes = portal.config.wizardTtlMs / 60_000;
  app.get('/privacy', publicRoute('privacy policy'), async (request, reply) =>
    reply.page(<PrivacyPage ctx={request.view} wizardMinutes={minutes} />),
  );
  app.get('/accessibility', publicRoute('accessibility statement'), async (request, reply) =>
    reply.page(<AccessibilityPage ctx={request.view} />),
  );
}

function Contact({ ctx }: { ctx: ViewContext }) {
  const { agency } = ctx;
  return (
    <p>
      Write to {agency.name}, {agency.address}, or call <HelpDeskPhone ctx={ctx} /> ({ctx.helpdesk.hours}). TTY:{' '}
      <a class="portal-nowrap" href={`tel:${agency.tty.replace(/[^\d+]/g, '')}`}>
        {agency.tty}
      </a>
      .
    </p>
  );
}

function PrivacyPage({ ctx, wizardMinutes }: { ctx: ViewContext; wizardMinutes: number }) {
  return (
    <Layout ctx={ctx} title="Privacy policy">
      <div class="usa-prose">
        <h1>Privacy policy</h1>
        <p class="usa-intro">
          {ctx.agency.name} runs the Security Portal. This page says what it keeps about you, why, and how it protects
          it.
        </p>
        <h2>What we keep</h2>
        <p>
          Your name, date of birth, contact details and background (a previous last name, a previous license number) as
          you give them when you create your profile; your User Name and MEPID; a record of security events such as
          log-ins, password changes and changes made by administrators, with the time and the network address they came
          from.
        </p>
        <h2>Why we ask for your Social Security number</h2>
        <p>
          Many educators share a name, and some share a date of birth too. We use your Social Security number only to
          tell you apart from other people with the same name and date of birth, so that we find your own records, never
          someone else's, when you create a profile or get back into it.
        </p>
        <h2>How your Social Security number is kept</h2>
        <ul>
          <li>
            It is never stored as you typed it. We keep a keyed hash of it: a fingerprint made with a secret key that
            only the portal holds. The same number always gives the same fingerprint, so we can compare, but the number
            cannot be read back from it.
          </li>
          <li>
            We also keep its last 4 digits, so that you and the people who help you can recognize which number it was.
          </li>
          <li>It is never shown in full to anyone, administrators included, and never written to our logs.</li>
        </ul>
        <h2>Passwords and hint answers</h2>
        <p>
          Your password and the answer to your hint question are kept only as slow, salted hashes (argon2id). Nobody,
          not even the help desk, can read them; if you forget them, you choose new ones.
        </p>
        <h2>Unfinished profiles</h2>
        <p>
          While you create a profile or get back into one, your answers are kept on our server for {wizardMinutes}{' '}
          minutes, with the Social Security number already reduced to its fingerprint and last 4 digits. Your User Name
          and MEPID are shown once; logging out forgets them on your device.
        </p>
        <h2>Who sees it</h2>
        <p>
          The agency's staff who run licensure and the portal, and the Directory Administrators of the organizations you
          work for, for the people of those organizations only. We do not sell or share your information for any other
          purpose.
        </p>
        <h2>Questions</h2>
        <Contact ctx={ctx} />
      </div>
    </Layout>
  );
}

function AccessibilityPage({ ctx }: { ctx: ViewContext }) {
  return (
    <Layout ctx={ctx} title="Accessibility statement">
      <div class="usa-prose">
        <h1>Accessibility statement</h1>
        <p class="usa-intro">
          {ctx.agency.name} wants everyone to be able to use the Security Portal, including people who use a screen
          reader, a keyboard alone, magnification or voice control.
        </p>
        <h2>The standard we follow</h2>
        <p>
          The portal is built to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA. Every page is
          checked with automated tests on each change, works without JavaScript, and can be used with a keyboard alone.
          Forms list every problem at the top of the page, each linked to the field it is about.
        </p>
        <h2>Report a problem or ask for another format</h2>
        <p>
          If something on the portal does not work for you, tell us which page and what happened, and we will help you
          another way while we fix it.
        </p>
        <Contact ctx={ctx} />
      </div>
    </Layout>
  );
}
