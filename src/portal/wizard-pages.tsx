import {
  DateField,
  FormPage,
  SelectField,
  StepIndicator,
  TextField,
  type FieldErrors,
  type FormValues,
  type Step,
} from '../platform/views/form.tsx';
import { HelpDeskPhone, Layout, type ViewContext } from '../platform/views/layout.tsx';
import type { FlowData } from './flow-repository.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { formatDate, US_STATES } from './person-fields.ts';
import { STEP_PATHS } from './profile-wizard.ts';

/** The pages of the Create Profile / Retrieve User Name wizard. */

const STEP_LABELS = ['Identity', 'Contact details', 'Background', 'Security'];
const step = (current: number): Step => ({ current, labels: STEP_LABELS });

/** Recovery's own steps; without hint questions it ends once the User Name is shown. */
const RECOVERY_LABELS = ['Your details', 'Your User Name', 'Hint question', 'New password'];
const recoveryStep = (current: number, hints = true): Step => ({
  current,
  labels: hints ? RECOVERY_LABELS : RECOVERY_LABELS.slice(0, 2),
});
const RECOVER = 'Retrieve User Name / Reset Password';

/** A 10-digit phone number as people write it: 781-338-6600. */
function formatPhone(digits: string): string {
  return digits.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1-$2-$3');
}

/** The pages after the identity step create or complete a profile, whichever flow led there. */
function caption(flow: FlowData | undefined): string {
  return flow?.match?.kind === 'precreated' ? 'Complete your profile' : 'Create a profile';
}

interface FormProps {
  ctx: ViewContext;
  values: FormValues;
  errors?: FieldErrors;
}

export function IdentityPage(props: FormProps & { mode: FlowData['mode']; hints: boolean; ssnAgain?: boolean }) {
  const { ctx, mode, hints, values, errors, ssnAgain } = props;
  const recover = mode === 'recover';
  return (
    <FormPage
      ctx={ctx}
      caption={recover ? RECOVER : 'Create a profile'}
      title="Tell us who you are"
      action={`${recover ? '/account/recover' : '/profile/new'}/identity`}
      step={recover ? recoveryStep(1, hints) : step(1)}
      errors={errors}
      submitLabel="Continue"
      intro={
        recover ? (
          <p class="usa-intro">
            This looks like creating a new profile: that is normal. If we find your profile, we will remind you of your
            User Name and you can set a new password.
          </p>
        ) : (
          <p class="usa-intro">
            We check these details against the Department's records. If you already have a profile, we will remind you
            of your User Name.
          </p>
        )
      }
    >
      <TextField
        name="firstName"
        label="First name"
        value={values.firstName}
        error={errors?.firstName}
        autocomplete="given-name"
        spellcheck={false}
      />
      <TextField
        name="middleName"
        label="Middle name"
        optional
        value={values.middleName}
        error={errors?.middleName}
        autocomplete="additional-name"
        spellcheck={false}
      />
      <TextField
        name="lastName"
        label="Last name"
        value={values.lastName}
        error={errors?.lastName}
        autocomplete="family-name"
        spellcheck={false}
      />
      <DateField
        prefix="dob"
        legend="Date of birth"
        hint="For example: 3 27 1985"
        values={values}
        error={errors?.dobMonth}
      />
      <TextField
        name="ssn"
        label="Social Security number"
        hint={
          // Changing earlier answers: the number itself was never kept, so it cannot be shown again.
          ssnAgain
            ? 'Enter it again: we keep only a protected fingerprint of it and its last 4 digits, never the number itself.'
            : '9 digits, for example 123 45 6789. We keep only a protected fingerprint of it and its last 4 digits.'
        }
        value={values.ssn}
        error={errors?.ssn}
        inputMode="numeric"
        autocomplete="off"
        maxLength={11}
        width="md"
      />
    </FormPage>
  );
}

export function ContactPage({ ctx, flow, values, errors }: FormProps & { flow: FlowData }) {
  return (
    <FormPage
      ctx={ctx}
      caption={caption(flow)}
      title="Your contact details"
      action={STEP_PATHS.contact}
      step={step(2)}
      errors={errors}
      submitLabel="Continue"
      intro={
        flow.mode === 'recover' ? (
          <div class="usa-alert usa-alert--info usa-alert--slim margin-bottom-3">
            <div class="usa-alert__body">
              <p class="usa-alert__text">
                We did not find a profile with those details, so you are now creating a new one. If you think you
                already have a profile, <a href="/account/recover">check your details</a> or call the help desk.
              </p>
            </div>
          </div>
        ) : undefined
      }
    >
      <TextField
        name="email"
        label="Email address"
        type="email"
        value={values.email}
        error={errors?.email}
        autocomplete="email"
        spellcheck={false}
      />
      <TextField
        name="phone"
        label="Phone number"
        optional
        type="tel"
        value={values.phone ?? undefined}
        error={errors?.phone}
        autocomplete="tel"
        width="md"
      />
      <TextField
        name="addressLine1"
        label="Address line 1"
        value={values.addressLine1}
        error={errors?.addressLine1}
        autocomplete="address-line1"
      />
      <TextField
        name="addressLine2"
        label="Address line 2"
        optional
        value={values.addressLine2 ?? undefined}
        error={errors?.addressLine2}
        autocomplete="address-line2"
      />
      <TextField
        name="city"
        label="Town or city"
        value={values.city}
        error={errors?.city}
        autocomplete="address-level2"
        width="lg"
      />
      <SelectField
        name="state"
        label="State"
        value={values.state}
        error={errors?.state}
        options={US_STATES}
        autocomplete="address-level1"
      />
      <TextField
        name="postalCode"
        label="ZIP code"
        value={values.postalCode}
        error={errors?.postalCode}
        autocomplete="postal-code"
        inputMode="numeric"
        width="md"
      />
    </FormPage>
  );
}

export function BackgroundPage({ ctx, values, errors }: FormProps) {
  return (
    <FormPage
      ctx={ctx}
      caption="Create a profile"
      title="Your background"
      action={STEP_PATHS.background}
      step={step(3)}
      errors={errors}
      submitLabel="Continue"
      intro={<p>These help the Department find your earlier records. Leave them empty if they do not apply.</p>}
    >
      <TextField
        name="previousLastName"
        label="Previous last name"
        optional
        hint="For example, a last name before marriage"
        value={values.previousLastName}
        error={errors?.previousLastName}
        spellcheck={false}
      />
      <TextField
        name="priorLicenseNumber"
        label="Educator license number"
        optional
        hint="If you have held a license from the Department before"
        value={values.priorLicenseNumber}
        error={errors?.priorLicenseNumber}
        width="md"
      />
    </FormPage>
  );
}

export function SecurityPage({
  ctx,
  flow,
  policy,
  values,
  errors,
}: FormProps & { flow: FlowData; policy: PasswordPolicy }) {
  const precreated = flow.match?.kind === 'precreated';
  return (
    <FormPage
      ctx={ctx}
      caption={caption(flow)}
      title={policy.allowsHints ? 'Choose a hint question and a password' : 'Choose a password'}
      action={STEP_PATHS.security}
      step={precreated ? undefined : step(4)}
      errors={errors}
      submitLabel="Continue"
      intro={
        precreated ? (
          <p class="usa-intro">
            Your school, district or the Department has already started a profile for you. Choose your security details
            to finish it; then you will see your User Name.
          </p>
        ) : undefined
      }
    >
      {policy.allowsHints && (
        <>
          <TextField
            name="hintQuestion"
            label="Password hint question"
            hint="A question only you know the answer to. You will answer it if you ever need to reset your password."
            value={values.hintQuestion}
            error={errors?.hintQuestion}
            autocomplete="off"
          />
          <TextField
            name="hintAnswer"
            label="Answer to your hint question"
            hint="Write it down: it must be typed exactly the same way later, including upper and lower case, spaces and punctuation."
            type="password"
            error={errors?.hintAnswer}
            autocomplete="off"
          />
        </>
      )}
      <TextField
        name="password"
        label="Password"
        type="password"
        hint={policy.description}
        error={errors?.password}
        autocomplete="new-password"
        width="lg"
      />
      <TextField
        name="passwordConfirm"
        label="Confirm password"
        type="password"
        error={errors?.passwordConfirm}
        autocomplete="new-password"
        width="lg"
      />
    </FormPage>
  );
}

export function ReviewPage({ ctx, flow }: { ctx: ViewContext; flow: FlowData }) {
  const identity = flow.identity!;
  const precreated = flow.match?.kind === 'precreated';
  const identityHref = flow.mode === 'recover' ? '/account/recover' : '/profile/new';
  const rows: Array<[string, string, string]> = [
    ['Name', [identity.firstName, identity.middleName, identity.lastName].filter(Boolean).join(' '), identityHref],
    ['Date of birth', formatDate(identity.dateOfBirth), identityHref],
    ['Social Security number', `Ending in ${identity.ssnLast4}`, identityHref],
  ];
  if (!precreated && flow.contact) {
    const c = flow.contact;
    rows.push(
      ['Email address', c.email, STEP_PATHS.contact],
      ['Phone number', c.phone ? formatPhone(c.phone) : 'Not given', STEP_PATHS.contact],
      [
        'Address',
        [c.addressLine1, c.addressLine2, `${c.city}, ${c.state} ${c.postalCode}`].filter(Boolean).join(', '),
        STEP_PATHS.contact,
      ],
      ['Previous last name', flow.background?.previousLastName ?? 'Not given', STEP_PATHS.background],
      ['Educator license number', flow.background?.priorLicenseNumber ?? 'Not given', STEP_PATHS.background],
    );
  }
  if (flow.security?.hintQuestion)
    rows.push(['Password hint question', flow.security.hintQuestion, STEP_PATHS.security]);
  rows.push(['Password', 'Chosen (not shown)', STEP_PATHS.security]);
  return (
    <FormPage
      ctx={ctx}
      caption={caption(flow)}
      title="Check your answers"
      action={STEP_PATHS.review}
      submitLabel={precreated ? 'Complete my profile' : 'Create my profile'}
      intro={
        <dl class="portal-summary margin-bottom-4">
          {rows.map(([label, value, href]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                {value}{' '}
                <a href={href}>
                  Change<span class="usa-sr-only"> {label.toLowerCase()}</span>
                </a>
              </dd>
            </div>
          ))}
        </dl>
      }
    />
  );
}

function Credentials({ userName, mepid }: { userName: string; mepid?: string }) {
  return (
    <dl class="portal-summary">
      <dt>Your User Name</dt>
      <dd class="portal-credential" data-username>
        {userName}
      </dd>
      {mepid && (
        <>
          <dt>Your MEPID (Education Personnel ID)</dt>
          <dd class="portal-credential" data-mepid>
            {mepid}
          </dd>
        </>
      )}
    </dl>
  );
}

/** In place of a User Name already shown once: where to get it again. */
function ShownOnce({ what }: { what: string }) {
  return (
    <div class="usa-alert usa-alert--info usa-alert--slim margin-bottom-3">
      <div class="usa-alert__body">
        <p class="usa-alert__text">
          {what} shown only once, so that nobody using this device after you can see it. If you did not write it down,
          use <a href="/account/recover">{RECOVER}</a>.
        </p>
      </div>
    </div>
  );
}

export function DonePage(props: {
  ctx: ViewContext;
  outcome: 'created' | 'completed';
  credentials: { userName: string; mepid: string } | null;
}) {
  const title = props.outcome === 'created' ? 'Your profile has been created' : 'Your profile is complete';
  return (
    <Layout ctx={props.ctx} title={title} outcome={props.outcome}>
      <div class="usa-alert usa-alert--success margin-bottom-3">
        <div class="usa-alert__body">
          <h1 class="usa-alert__heading">{title}</h1>
        </div>
      </div>
      {props.credentials ? (
        <>
          <Credentials userName={props.credentials.userName} mepid={props.credentials.mepid} />
          <p class="usa-intro">
            Write these down and keep them somewhere safe. <strong>No email will confirm them</strong>, and this page
            shows them only once. Your User Name never changes, and upper and lower case matter when you type it.
          </p>
        </>
      ) : (
        <ShownOnce what="Your User Name and MEPID were" />
      )}
      <a class="usa-button" href="/login">
        Log in
      </a>
    </Layout>
  );
}

export function PartialMatchPage({ ctx, mode }: { ctx: ViewContext; mode: FlowData['mode'] }) {
  const recover = mode === 'recover';
  const title = recover ? 'We could not retrieve your User Name' : 'We could not finish setting up your profile';
  return (
    <Layout ctx={ctx} title={title} outcome="partial-match">
      <span class="portal-caption">{recover ? RECOVER : 'Create a profile'}</span>
      <h1>{title}</h1>
      <p class="usa-intro">
        Some of your details match the Department's records, but others are different from what we have. We have stopped
        here so that nobody can {recover ? 'get into' : 'take over'} someone else's profile.
      </p>
      <h2>What to do next</h2>
      <ul class="usa-list">
        <li>
          If you mistyped something, <a href={recover ? '/account/recover' : '/profile/new'}>check your details</a> and
          try again.
        </li>
        <li>
          If you work for a school, district or other organization, contact its Directory Administrator: they can
          correct the records. <a href="/directory-administrators">Find your Directory Administrator</a>.
        </li>
        <li>
          Otherwise, or if they cannot help, call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />,{' '}
          {ctx.helpdesk.hours}.
        </li>
      </ul>
      <p>We have recorded the problem so that an administrator can resolve it.</p>
    </Layout>
  );
}

export function ExactMatchPage(props: {
  ctx: ViewContext;
  mode: FlowData['mode'];
  userName: string | null;
  canAnswerHint: boolean;
}) {
  const { ctx, canAnswerHint } = props;
  return (
    <Layout ctx={ctx} title="You already have a profile" outcome="exact-match">
      {props.mode === 'recover' && <StepIndicator step={recoveryStep(2, canAnswerHint)} />}
      <span class="portal-caption">{props.mode === 'recover' ? RECOVER : 'Create a profile'}</span>
      <h1>You already have a profile</h1>
      {props.userName ? (
        <>
          <Credentials userName={props.userName} />
          <p class="usa-intro">
            Upper and lower case matter when you type your User Name. This page shows it only once.
          </p>
        </>
      ) : (
        <ShownOnce what="Your User Name was" />
      )}
      {canAnswerHint ? (
        <>
          <p>If you do not remember your password, answer your password hint question to choose a new one.</p>
          <div class="portal-actions">
            <a class="usa-button" href={STEP_PATHS.hint}>
              Reset my password
            </a>
            <a class="usa-button usa-button--outline" href="/login">
              Log in
            </a>
          </div>
        </>
      ) : (
        <>
          <p>
            To reset your password, contact your organization's Directory Administrator, or call the Licensure Help Desk
            at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
          </p>
          <a class="usa-button" href="/login">
            Log in
          </a>
        </>
      )}
    </Layout>
  );
}

export function HintPage({ ctx, question, errors }: { ctx: ViewContext; question: string; errors?: FieldErrors }) {
  return (
    <FormPage
      ctx={ctx}
      caption={RECOVER}
      title="Answer your password hint question"
      action={STEP_PATHS.hint}
      step={recoveryStep(3)}
      errors={errors}
      submitLabel="Continue"
    >
      <TextField
        name="hintAnswer"
        label={question}
        hint="Type the answer exactly as you gave it: upper and lower case, spaces and punctuation count."
        type="password"
        error={errors?.hintAnswer}
        autocomplete="off"
      />
    </FormPage>
  );
}

export function NewPasswordPage({
  ctx,
  policy,
  errors,
}: {
  ctx: ViewContext;
  policy: PasswordPolicy;
  errors?: FieldErrors;
}) {
  return (
    <FormPage
      ctx={ctx}
      caption={RECOVER}
      title="Choose a new password"
      action={STEP_PATHS['new-password']}
      step={recoveryStep(4)}
      errors={errors}
      submitLabel="Save new password"
    >
      <TextField
        name="password"
        label="New password"
        type="password"
        hint={policy.description}
        error={errors?.password}
        autocomplete="new-password"
        width="lg"
      />
      <TextField
        name="passwordConfirm"
        label="Confirm new password"
        type="password"
        error={errors?.passwordConfirm}
        autocomplete="new-password"
        width="lg"
      />
    </FormPage>
  );
}

export function PasswordChangedPage({ ctx, userName }: { ctx: ViewContext; userName: string | null }) {
  return (
    <Layout ctx={ctx} title="Your password has been changed" outcome="password-changed">
      <span class="portal-caption">{RECOVER}</span>
      <h1>Your password has been changed</h1>
      {userName ? <Credentials userName={userName} /> : <ShownOnce what="Your User Name was" />}
      <p class="usa-intro">
        Write down your new password and keep it somewhere safe. Anywhere you were logged in has been signed out.
      </p>
      <a class="usa-button" href="/login">
        Log in
      </a>
    </Layout>
  );
}

/** The answers of a flow were deleted (too long unused): say so, in that flow's words, and offer its start. */
export function FlowExpiredPage({ ctx, mode, minutes }: { ctx: ViewContext; mode: FlowData['mode']; minutes: number }) {
  const recover = mode === 'recover';
  return (
    <Layout ctx={ctx} title="Your answers have expired">
      <span class="portal-caption">{recover ? RECOVER : 'Create a profile'}</span>
      <h1>Your answers have expired</h1>
      <p class="usa-intro">
        We keep your answers for {minutes} minutes, so they have been deleted. You will need to start again
        {recover ? ' to retrieve your User Name or reset your password' : ' to create your profile'}.
      </p>
      <a class="usa-button" href={recover ? '/account/recover' : '/profile/new'}>
        Start again
      </a>
    </Layout>
  );
}

export function MatchingPausedPage({ ctx, minutes }: { ctx: ViewContext; minutes: number }) {
  return (
    <Layout ctx={ctx} title="Too many attempts" outcome="locked">
      <h1>Too many attempts</h1>
      <p class="usa-intro">
        Checking details against the Department's records is paused on this connection for {minutes}{' '}
        {minutes === 1 ? 'minute' : 'minutes'}.
      </p>
      <p>
        If you are setting up or recovering your own profile, wait and try again, or call the Licensure Help Desk at{' '}
        <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
      </p>
    </Layout>
  );
}
