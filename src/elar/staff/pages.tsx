import type { ComponentChildren } from 'preact';
import { ErrorSummary, TextAreaField, type FieldErrors, type FormValues } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import { SummaryList } from '../../platform/views/summary-list.tsx';
import { CHARACTER_QUESTIONS, GATE_ITEM_WORDS, type ApplicationView } from '../applications/index.ts';
import { can, STAFF_ROLE_NAMES } from '../staff.ts';
import type { QueueEntry, StaffAction, StaffMember } from './service.ts';

/**
 * The Department's pages in ELAR. They name licenses, states and changes in the agency's
 * words (never a code), and every state-changing form carries the version the page showed.
 */

const CAPTION = 'Educator Licensure And Renewal (ELAR): Department staff';
const when = (at: Date) =>
  at.toLocaleString('en-US', { timeZone: 'America/New_York', dateStyle: 'long', timeStyle: 'short' });
const day = (at: Date) => at.toLocaleDateString('en-US', { timeZone: 'America/New_York', dateStyle: 'long' });

/** The work a staff member may do here, as `can()` decides it, each with where it is done. */
export function StaffHomePage({ ctx, actor }: { ctx: ViewContext; actor: StaffMember }) {
  const roles = actor.staffRoles.map((role) => STAFF_ROLE_NAMES[role]);
  return (
    <Layout ctx={ctx} title="Department staff">
      <span class="portal-caption">{CAPTION}</span>
      <h1>Department staff</h1>
      <p class="usa-intro" data-elar-staff={actor.staffRoles.join(' ')}>
        You are signed in as a {roles.join(' and a ')}.
      </p>
      <h2>What you can do in ELAR</h2>
      <ul class="usa-list" data-staff-work>
        {can(actor, 'application.evaluate') && (
          <li>
            <a href="/elar/staff/applications">Review license applications</a>: the applications waiting for an
            evaluator and those under review, oldest first. From an application you can start its review.
          </li>
        )}
        {can(actor, 'application.decide') && (
          <li>Deny an application, or withdraw it, giving the reason the educator will read, from its page.</li>
        )}
        {can(actor, 'payment.manage') && (
          <li>Refund a payment in full or in part, giving a reason, from the payment’s receipt.</li>
        )}
      </ul>
      <p>
        <a href="/elar">Back to your ELAR home page</a>
      </p>
    </Layout>
  );
}

export function QueuePage({
  ctx,
  entries,
  next,
  first,
}: {
  ctx: ViewContext;
  entries: QueueEntry[];
  next: string | null;
  first: boolean;
}) {
  return (
    <Layout ctx={ctx} title="License applications to review">
      <span class="portal-caption">{CAPTION}</span>
      <h1>License applications to review</h1>
      <p class="usa-intro">Applications ready for review, not ready yet, or in review, the oldest submission first.</p>
      {entries.length === 0 ? (
        <p data-queue-empty>{first ? 'No applications are waiting.' : 'There are no more applications.'}</p>
      ) : (
        <table class="usa-table usa-table--borderless width-full" data-queue>
          <caption class="usa-sr-only">Applications, oldest submission first</caption>
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Licenses</th>
              <th scope="col">Status</th>
              <th scope="col">Submitted</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-queue-application={entry.id}>
                <th scope="row">
                  <a href={`/elar/staff/applications/${entry.id}`}>{entry.reference}</a>
                </th>
                <td>
                  {entry.licenses.map((name) => (
                    <div>{name}</div>
                  ))}
                </td>
                <td>
                  <span class="usa-tag" data-application-status={entry.state}>
                    {entry.stateName}
                  </span>
                </td>
                <td>
                  <time datetime={entry.submittedAt.toISOString()}>{day(entry.submittedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages of applications">
        <ul class="usa-list usa-list--unstyled">
          {next && (
            <li>
              <a href={`/elar/staff/applications?after=${encodeURIComponent(next)}`} rel="next" data-queue-next>
                Next {50} applications
              </a>
            </li>
          )}
          {!first && (
            <li>
              <a href="/elar/staff/applications">Back to the oldest applications</a>
            </li>
          )}
        </ul>
      </nav>
      <p>
        <a href="/elar/staff">Back to Department staff</a>
      </p>
    </Layout>
  );
}

export interface StaffApplicationProps {
  ctx: ViewContext;
  application: ApplicationView;
  licenseNames: string[];
  actions: StaffAction[];
  own: boolean;
  errors?: FieldErrors;
  values?: FormValues;
}

export function StaffApplicationPage(props: StaffApplicationProps) {
  const { ctx, application, errors = {} } = props;
  const errorEntries = Object.entries(errors);
  return (
    <Layout ctx={ctx} title={`Application ${application.reference}`} hasErrors={errorEntries.length > 0}>
      {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
      <span class="portal-caption">{CAPTION}</span>
      <h1>
        Application <span data-application-reference>{application.reference}</span>
      </h1>
      <p class="usa-intro">
        Status:{' '}
        <strong class="usa-tag" data-application-status={application.state}>
          {application.stateName}
        </strong>
      </p>
      {props.own && (
        <div class="usa-alert usa-alert--warning usa-alert--slim" data-own-application>
          <div class="usa-alert__body">
            <p class="usa-alert__text">
              This is your own application. Another member of the Department’s staff must act on it.
            </p>
          </div>
        </div>
      )}
      <SummaryList
        rows={[
          { label: 'Licenses', value: props.licenseNames.map((name) => <div>{name}</div>) },
          { label: 'Submitted', value: application.submittedAt ? when(application.submittedAt) : 'Not sent' },
          { label: 'Contact email', value: answer(application.sections['personal-details']?.answers, 'email') },
        ]}
      />
      {props.actions.length > 0 && <ActionForm {...props} />}

      <h2 id="gate-heading">Needed before a review can start</h2>
      <ul class="usa-list" aria-labelledby="gate-heading" data-gate-items>
        {application.gateItems.map((g) => (
          <li data-gate-item={g.item} data-reported={g.reportedAt ? 'yes' : 'no'}>
            {GATE_ITEM_WORDS[g.item]}:{' '}
            <strong>{g.reportedAt ? `reported on file, ${day(g.reportedAt)}` : 'not reported yet'}</strong>
          </li>
        ))}
      </ul>

      <h2>The applicant’s answers</h2>
      {Object.entries(SECTION_TITLES).map(([section, title]) => (
        <section aria-labelledby={`answers-${section}`} data-answers={section}>
          <h3 id={`answers-${section}`}>{title}</h3>
          <Answers value={application.sections[section]?.answers} />
        </section>
      ))}

      <h2 id="timeline-heading">What has happened</h2>
      <ol class="usa-process-list" aria-labelledby="timeline-heading" data-timeline>
        {application.timeline.map((entry) => (
          <li class="usa-process-list__item" data-event-id={entry.id}>
            <p class="usa-process-list__heading">{entry.text}</p>
            {entry.reason && <p>Reason given: {entry.reason}</p>}
            <p>
              <time datetime={entry.at.toISOString()}>{when(entry.at)}</time>
            </p>
          </li>
        ))}
      </ol>
      <p>
        <a href="/elar/staff/applications">Back to the applications to review</a>
      </p>
    </Layout>
  );
}

/** One form for every change the staff member may make now: a choice, the reason, and the version the page showed. */
function ActionForm({ ctx, application, actions, errors = {}, values = {} }: StaffApplicationProps) {
  const needReason = actions.filter((a) => a.reasonRequired).map((a) => a.label.toLowerCase());
  return (
    <section aria-labelledby="action-heading" data-staff-actions>
      <h2 id="action-heading">Change its status</h2>
      <PostForm
        ctx={ctx}
        class="usa-form usa-form--large"
        action={`/elar/staff/applications/${application.id}/actions`}
        fields={{ version: String(application.version) }}
        submitLabel="Make this change"
      >
        <fieldset class={`usa-fieldset usa-form-group${errors.action ? ' usa-form-group--error' : ''}`}>
          <legend class="usa-legend">What do you want to do?</legend>
          {errors.action && (
            <span class="usa-error-message" id="action-error">
              <span class="usa-sr-only">Error: </span>
              {errors.action}
            </span>
          )}
          {actions.map((action, i) => (
            <div class="usa-radio">
              <input
                class="usa-radio__input"
                id={i === 0 ? 'action' : `action-${action.name}`}
                type="radio"
                name="action"
                value={action.name}
                checked={values.action === action.name || actions.length === 1}
              />
              <label class="usa-radio__label" for={i === 0 ? 'action' : `action-${action.name}`}>
                {action.label}
              </label>
            </div>
          ))}
        </fieldset>
        <TextAreaField
          name="reason"
          label="Reason"
          hint={
            needReason.length > 0
              ? `Needed to ${needReason.join(', to ')}. The educator reads it on their application.`
              : 'The educator reads it on their application.'
          }
          value={values.reason}
          error={errors.reason}
          optional={needReason.length === 0}
        />
      </PostForm>
    </section>
  );
}

/** The task list's sections as the educator's pages name them; licenses and the fee are shown above. */
const SECTION_TITLES: Record<string, string> = {
  'personal-details': 'Contact details',
  education: 'Education',
  tests: 'Tests',
  employment: 'Employment',
  'other-states': 'Licenses held in other states',
  character: 'Character questions',
  affidavit: 'Affidavit',
};

function answer(answers: unknown, key: string): string {
  const value = (answers as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' && value !== '' ? value : 'Not given';
}

/** "addressLine1" → "Address line 1": answers are shown by their question, not a code. */
const labelOf = (key: string) => {
  if (Object.hasOwn(CHARACTER_QUESTIONS, key)) return CHARACTER_QUESTIONS[key as keyof typeof CHARACTER_QUESTIONS];
  const words = key.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
};

/** Answers are kept as JSON, whose keys come back in no useful order: these go first, in the form's order. */
const ANSWER_ORDER = [
  ...['addressLine1', 'addressLine2', 'city', 'state', 'postalCode', 'email', 'phone'],
  ...['level', 'subject', 'institution', 'awarded', 'name', 'date', 'passed', 'employer', 'role'],
  ...['answer', 'explanation', 'agree', 'signature'],
];
const rank = (key: string) => (ANSWER_ORDER.includes(key) ? ANSWER_ORDER.indexOf(key) : ANSWER_ORDER.length);

function Answers({ value }: { value: unknown }): ComponentChildren {
  if (value === undefined) return <p>Not answered yet.</p>;
  if (value === null || value === '') return 'Not given';
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value))
    return value.length === 0 ? (
      'None'
    ) : (
      <ol class="usa-list">
        {value.map((item) => (
          <li>
            <Answers value={item} />
          </li>
        ))}
      </ol>
    );
  return (
    <dl class="portal-summary">
      {Object.entries(value)
        .sort(([a], [b]) => rank(a) - rank(b))
        .map(([key, v]) => (
          <div>
            <dt>{labelOf(key)}</dt>
            <dd>
              <Answers value={v} />
            </dd>
          </div>
        ))}
    </dl>
  );
}

/** Someone else moved the application between the page and the button: what it is now, and the way back. */
export function MovedPage({ ctx, id, message, code }: { ctx: ViewContext; id: string; message: string; code: string }) {
  return (
    <Layout ctx={ctx} title="Someone else has changed this application">
      <span class="portal-caption">{CAPTION}</span>
      <h1>Someone else has changed this application</h1>
      <p class="usa-intro">{message}</p>
      <p>Nothing was changed by you. Open the application again to see where it stands now, then decide.</p>
      <p>
        <a class="usa-button" href={`/elar/staff/applications/${id}`}>
          Open the application again
        </a>
      </p>
      <p>
        Error code: <code data-error-code={code}>{code}</code>
      </p>
    </Layout>
  );
}
