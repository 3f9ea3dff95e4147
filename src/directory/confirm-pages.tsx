import type { ComponentChildren } from 'preact';
import type { Profile } from '../portal/index.ts';
import { FormPage, TextAreaField, type FieldErrors, type FormValues } from '../platform/views/form.tsx';
import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { attemptsWords, conflictFieldWords, submittedWords } from './pages.tsx';
import type { ConflictRow } from './repository.ts';

/**
 * Actions that cannot be taken back ask first: the link opens one of these pages (a GET that
 * changes nothing), whose button posts the change. No JavaScript needed.
 */
function ConfirmPage(props: {
  ctx: ViewContext;
  title: string;
  caption: string;
  action: string;
  submitLabel: string;
  back: string;
  /** What will happen. */
  intro: ComponentChildren;
  /** Fields of the confirming form, if any. */
  children?: ComponentChildren;
  errors?: FieldErrors | undefined;
}) {
  return (
    <FormPage
      ctx={props.ctx}
      caption={props.caption}
      title={props.title}
      action={props.action}
      errors={props.errors}
      submitLabel={props.submitLabel}
      intro={props.intro}
      after={
        <p class="margin-top-3">
          <a href={props.back}>Cancel and go back</a>
        </p>
      }
    >
      {props.children}
    </FormPage>
  );
}

const name = (p: Profile) => `${p.first_name} ${p.last_name}`;

export function ConfirmResetPasswordPage({ ctx, person }: { ctx: ViewContext; person: Profile }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption={`${name(person)} (${person.user_name})`}
      title={`Reset the password of ${name(person)}?`}
      action={`/directory/people/${person.id}/reset-password`}
      submitLabel="Reset password"
      back={`/directory/people/${person.id}`}
      intro={
      <ul class="usa-list">
        <li>Their current password stops working at once.</li>
        <li>You are shown a temporary password, once, to give them in person or by phone. It is valid for three days.</li>
        <li>They must choose their own password when they next log in.</li>
        <li>They are signed out of the portal and of every application, and a lockout is lifted.</li>
      </ul>
      }
    />
  );
}

/** A reset that is refused (a pre-created profile, attack F8): why, and the way back. */
export function ResetRefusedPage({ ctx, person, message }: { ctx: ViewContext; person: Profile; message: string }) {
  return (
    <Layout ctx={ctx} title="The password cannot be reset">
      <span class="portal-caption">{name(person)}</span>
      <h1>The password cannot be reset</h1>
      <p class="usa-intro">{message}.</p>
      <p>
        <a href={`/directory/people/${person.id}`}>Back to {name(person)}</a>
      </p>
    </Layout>
  );
}

export function ConfirmSignOutPage({ ctx, person }: { ctx: ViewContext; person: Profile }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption={`${name(person)} (${person.user_name})`}
      title={`Sign ${name(person)} out everywhere?`}
      action={`/directory/people/${person.id}/sessions/end`}
      submitLabel="Sign out everywhere"
      back={`/directory/people/${person.id}`}
      intro={
      <p>
        Every session of {name(person)} ends, in the portal and in every application, for example after a lost or shared
        computer. Their password does not change: they can log in again at once.
      </p>
      }
    />
  );
}

export function ConfirmCloseConflictPage({ ctx, conflict, values, errors }: { ctx: ViewContext; conflict: ConflictRow; values: FormValues; errors?: FieldErrors }) {
  return (
    <ConfirmPage
      ctx={ctx}
      caption="Partial matches"
      title="Close this partial match?"
      action={`/directory/conflicts/${conflict.id}/resolve`}
      submitLabel="Close the case"
      back="/directory/conflicts"
      errors={errors}
      intro={
        <>
      <dl class="portal-summary">
        <dt>Profile</dt>
        <dd>
          <a href={`/directory/people/${conflict.profile_id}`}>
            {conflict.last_name}, {conflict.first_name} ({conflict.user_name})
          </a>
        </dd>
        <dt>Fields that differ</dt>
        <dd>{conflictFieldWords(conflict.conflicting_fields)}</dd>
        <dt>Submitted</dt>
        <dd>{submittedWords(conflict)}</dd>
        <dt>When (UTC)</dt>
        <dd>{attemptsWords(conflict)}</dd>
      </dl>
      <p>
        Closing changes nothing on the profile: the person will meet the same partial match if they try again. To let them
        continue, correct the profile instead.
      </p>
        </>
      }
    >
      <TextAreaField name="reason" label="Why are you closing it?" hint="For example: not the same person, they were called back" value={values.reason} error={errors?.reason} />
    </ConfirmPage>
  );
}
