import type { FastifyInstance } from 'fastify';
import { PortalError } from '../../../platform/errors.ts';
import { ErrorSummary } from '../../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../../platform/views/layout.tsx';
import { elarErrors } from '../../errors.ts';
import { formatDollars } from '../fees.ts';
import type { ApplicationRouteOptions } from '../routes.tsx';
import { TASK_LIST, type TaskListItem } from '../sections.ts';
import { loadApplication, submit, type Applicant, type ApplicationView } from '../service.ts';
import { sectionPath, taskListPath } from './sections.tsx';
import { answerRows, SECTION_TITLES } from './sections-summary.tsx';

/**
 * Check your answers, then submit: every section as a summary list with its "Change" link,
 * the licenses and the fee quoted now, the affidavit, and the button that sends the draft
 * (`submit` in the service, with the version the person saw). A draft with something
 * missing is not sent: the page says what, and links to it. Once sent, the same page shows
 * the answers as they were sent, with no links to change them.
 */

const LICENSES_TITLE = 'Licenses you are applying for';

/** What is missing, in the person's words, linking to where they are on this page. */
const MISSING_WORDS: Record<TaskListItem, string> = {
  'personal-details': 'Complete your personal details',
  licenses: 'Choose at least one license to apply for',
  education: 'Complete your education',
  tests: 'Complete the tests you have taken',
  employment: 'Complete your employment',
  'other-states': 'Complete your licenses from other states',
  character: 'Answer the character questions',
  affidavit: 'Sign the affidavit',
};

const missingOf = (application: ApplicationView) =>
  application.taskList.filter((task) => !task.complete).map((task) => task.item);

export function registerCheckAnswersRoutes(app: FastifyInstance, { deps, access, applicant }: ApplicationRouteOptions) {
  const pageOf = (id: string) => `${app.prefix}/applications/${encodeURIComponent(id)}`;

  const show = async (
    ctx: ViewContext,
    person: Applicant,
    application: ApplicationView,
    problem?: { missing: TaskListItem[] } | { changed: true },
  ) => (
    <CheckAnswersPage
      ctx={ctx}
      prefix={app.prefix}
      person={person}
      application={application}
      licenses={application.licenses.map((license) => license.name)}
      problem={problem}
    />
  );

  app.get<{ Params: { id: string } }>('/applications/:id/check-answers', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const application = await loadApplication(deps, person.sub, request.params.id);
    return reply.page(await show(request.view, person, application));
  });

  app.post<{ Params: { id: string } }>('/applications/:id/submit', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const version = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : -1;
    const application = await loadApplication(deps, person.sub, request.params.id);
    if (application.state !== 'draft')
      return reply.page(
        <AlreadySentPage ctx={request.view} application={application} href={pageOf(application.id)} />,
        409,
      );
    const missing = missingOf(application);
    if (missing.length > 0) return reply.page(await show(request.view, person, application, { missing }), 422);
    try {
      await submit(deps, person, application.id, version);
    } catch (error) {
      if (!(error instanceof PortalError)) throw error;
      // Someone (another tab, a double click) changed or sent it first: say what happened, not "error".
      const now = await loadApplication(deps, person.sub, application.id);
      if (now.state !== 'draft')
        return reply.page(<AlreadySentPage ctx={request.view} application={now} href={pageOf(now.id)} />, 409);
      if (error.code === elarErrors.applicationChanged.code)
        return reply.page(await show(request.view, person, now, { changed: true }), 409);
      if (error.code === elarErrors.applicationIncomplete.code || error.code === elarErrors.noLicenseChosen.code)
        return reply.page(await show(request.view, person, now, { missing: missingOf(now) }), 422);
      throw error;
    }
    return reply.redirect(pageOf(application.id), 303);
  });
}

function CheckAnswersPage({
  ctx,
  prefix,
  person,
  application,
  licenses,
  problem,
}: {
  ctx: ViewContext;
  prefix: string;
  person: Applicant;
  application: ApplicationView;
  licenses: string[];
  problem?: { missing: TaskListItem[] } | { changed: true } | undefined;
}) {
  const editable = application.state === 'draft';
  const errors: Array<[string, string]> = !problem
    ? []
    : 'missing' in problem
      ? problem.missing.map((item) => [`answers-${item}`, MISSING_WORDS[item]])
      : [['answers-licenses', 'Your answers changed since you opened this page. Check them again, then submit.']];
  const signed = application.taskList.find((task) => task.item === 'affidavit')?.complete === true;
  const changeLink = (item: TaskListItem, title: string) =>
    editable && (
      <a
        href={
          item === 'licenses'
            ? `${prefix}/applications/${encodeURIComponent(application.id)}/sections/licenses`
            : sectionPath(prefix, application.id, item)
        }
      >
        {item === 'affidavit' && !signed ? 'Sign' : 'Change'}
        <span class="usa-sr-only"> {title.toLowerCase()}</span>
      </a>
    );
  return (
    <Layout ctx={ctx} title="Check your answers" hasErrors={errors.length > 0}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          {errors.length > 0 && <ErrorSummary errors={errors} />}
          <span class="portal-caption">
            Application <span data-application-reference>{application.reference}</span>
          </span>
          <h1>{editable ? 'Check your answers before you submit' : 'Your answers'}</h1>
          <p class="usa-intro" data-application-status={application.state}>
            {editable
              ? 'Check everything below. Use a Change link to correct an answer, then sign the affidavit and submit.'
              : `This application is no longer a draft (its status is ${application.stateName.toLowerCase()}), so its answers can no longer be changed.`}
          </p>
          {TASK_LIST.map((item) => {
            const title = item === 'licenses' ? LICENSES_TITLE : SECTION_TITLES[item];
            const complete = application.taskList.find((task) => task.item === item)?.complete === true;
            return (
              <section class="margin-bottom-4" id={`answers-${item}`} aria-labelledby={`answers-${item}-heading`}>
                <div class="display-flex flex-justify flex-align-baseline">
                  <h2 id={`answers-${item}-heading`}>{title}</h2>
                  {changeLink(item, title)}
                </div>
                {!complete && editable && <p class="usa-error-message">Not completed yet</p>}
                {item === 'licenses' ? (
                  <>
                    <ul class="usa-list">
                      {licenses.map((name) => (
                        <li>{name}</li>
                      ))}
                    </ul>
                    <p data-fee>
                      {application.fee.kept ? 'Fee: ' : 'Fee if you submit today: '}
                      <strong>{formatDollars(application.fee.cents)}</strong>
                      {!application.fee.kept &&
                        ' You pay it after you submit. Your application keeps this fee even if the fee changes later.'}
                    </p>
                  </>
                ) : (
                  <dl class="portal-summary">
                    {answerRows(item, application.sections[item]?.answers, person, application.contactEmail).map(
                      (row) => (
                        <div>
                          <dt>{row.label}</dt>
                          <dd {...(row.data ? { [`data-${row.data}`]: true } : {})}>{row.value}</dd>
                        </div>
                      ),
                    )}
                  </dl>
                )}
              </section>
            );
          })}
          {editable && (
            <section aria-labelledby="submit-heading" data-submit>
              <h2 id="submit-heading">Submit your application</h2>
              {signed ? (
                <form
                  method="post"
                  action={`${prefix}/applications/${encodeURIComponent(application.id)}/submit`}
                  noValidate
                >
                  <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
                  <input type="hidden" name="version" value={String(application.version)} />
                  <p>
                    When you submit, your application is sent to the Department and waits for the fee of{' '}
                    {formatDollars(application.fee.cents)}. You can pay straight away or later.
                  </p>
                  <button class="usa-button" type="submit">
                    Submit application {application.reference}
                  </button>
                </form>
              ) : (
                <p>
                  Sign the affidavit to swear that your answers are true, then you can submit.{' '}
                  <a class="usa-button" href={sectionPath(prefix, application.id, 'affidavit')}>
                    Sign the affidavit
                  </a>
                </p>
              )}
              <p>
                <a href={taskListPath(prefix, application.id)}>Back to your application’s task list</a>
              </p>
            </section>
          )}
          {!editable && (
            <p>
              <a href={`${prefix}/applications/${encodeURIComponent(application.id)}`}>
                Go to application {application.reference}
              </a>
            </p>
          )}
        </div>
      </div>
    </Layout>
  );
}

/** A second submit (another tab, a double click, a stale page): the first one already sent it. */
function AlreadySentPage({ ctx, application, href }: { ctx: ViewContext; application: ApplicationView; href: string }) {
  const title =
    application.state === 'withdrawn'
      ? 'This application has been withdrawn'
      : 'This application has already been sent';
  return (
    <Layout ctx={ctx} title={title}>
      <span class="portal-caption">
        Application <span data-application-reference>{application.reference}</span>
      </span>
      <h1>{title}</h1>
      <p class="usa-intro" data-application-status={application.state} data-submit-conflict>
        Nothing more was done: application {application.reference} is no longer a draft. Its status is{' '}
        {application.stateName.toLowerCase()}.
      </p>
      <p>
        <a class="usa-button" href={href}>
          Go to application {application.reference}
        </a>
      </p>
    </Layout>
  );
}
