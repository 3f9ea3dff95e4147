import type { FastifyInstance } from 'fastify';
import type { ComponentChildren } from 'preact';
import { errors as platformErrors } from '../../../platform/errors.ts';
import { ErrorSummary, type FieldErrors, type FormValues } from '../../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../../platform/views/layout.tsx';
import { SummaryList } from '../../../platform/views/summary-list.tsx';
import { elarErrors } from '../../errors.ts';
import type { ApplicationRouteOptions } from '../routes.tsx';
import { isSectionName, type SectionName } from '../sections.ts';
import { loadApplication, saveSection, type Applicant, type ApplicationView } from '../service.ts';
import { AffidavitFields, CharacterFields, PersonalDetailsFields, RowsFields } from './sections-fields.tsx';
import { actionOf, changeRows, isRowSection, readSectionForm, savedValues, type ReadForm } from './sections-form.ts';
import { identityRows, SECTION_TITLES, SectionAnswers } from './sections-summary.tsx';

/**
 * The task list's question pages: `GET/POST /applications/:id/sections/:section` (the license
 * chooser is its own page). Each answer is saved in the database at every step, so a draft
 * is resumable from any device. "Save and continue" needs the whole section and marks it
 * complete; "Save as draft" keeps whatever has been answered and leaves it in progress (the
 * GOV.UK task list pattern). Answers that break a rule are not saved: the page comes back
 * (422) with what was entered and an error summary. An application that is no longer a
 * draft shows its answers and no form.
 */

const INTROS: Record<SectionName, string> = {
  'personal-details':
    'Your name, date of birth and MEPID come from your Security Portal profile. Tell us how to reach you about this application.',
  education: 'Every degree you hold, starting with your bachelor’s degree. Add a row for each one.',
  tests: 'The licensure tests you have taken, passed or not, such as the Communication and Literacy Skills test.',
  employment:
    'Your work in schools that matters for this application, for example the years you taught under an Initial license.',
  'other-states': 'Educator licenses you hold from other states, if any. Leave the row blank if you have none.',
  character: 'Answer each question. If you answer yes, explain what happened: a yes does not mean you will be refused.',
  affidavit: 'Read your answers on the check your answers page before you sign.',
};

export const taskListPath = (prefix: string, id: string) => `${prefix}/applications/${encodeURIComponent(id)}/tasks`;
export const sectionPath = (prefix: string, id: string, section: SectionName) =>
  `${prefix}/applications/${encodeURIComponent(id)}/sections/${section}`;
export const checkAnswersPath = (prefix: string, id: string) =>
  `${prefix}/applications/${encodeURIComponent(id)}/check-answers`;

export function registerSectionRoutes(app: FastifyInstance, { deps, access, applicant }: ApplicationRouteOptions) {
  const sectionNamed = (name: string): SectionName => {
    if (!isSectionName(name)) throw platformErrors.notFound();
    return name;
  };

  app.get<{ Params: { id: string; section: string } }>(
    '/applications/:id/sections/:section',
    access,
    async (request, reply) => {
      const person = await applicant(request, reply);
      if (!person) return reply;
      const section = sectionNamed(request.params.section);
      const application = await loadApplication(deps, person.sub, request.params.id);
      const saved = savedValues(section, application.sections[section]?.answers);
      return reply.page(
        <SectionPage
          ctx={request.view}
          prefix={app.prefix}
          application={application}
          person={person}
          section={section}
          form={saved}
          errors={{}}
        />,
      );
    },
  );

  app.post<{ Params: { id: string; section: string } }>(
    '/applications/:id/sections/:section',
    access,
    async (request, reply) => {
      const person = await applicant(request, reply);
      if (!person) return reply;
      const section = sectionNamed(request.params.section);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const action = actionOf(body);
      const show = async (form: ReadForm, errors: FieldErrors, status: number) => {
        const application = await loadApplication(deps, person.sub, request.params.id);
        return reply.page(
          <SectionPage
            ctx={request.view}
            prefix={app.prefix}
            application={application}
            person={person}
            section={section}
            form={form}
            errors={errors}
          />,
          status,
        );
      };
      if (action.kind !== 'save') {
        // Adding or removing a row saves nothing: the page comes back with the rows changed.
        const read = readSectionForm(section, body, { keepBlank: true });
        return show(isRowSection(section) ? changeRows(section, read, action) : read, {}, 200);
      }
      // A sent application's answers are what it was sent with: say so, whatever this form holds.
      if ((await loadApplication(deps, person.sub, request.params.id)).state !== 'draft') throw elarErrors.notADraft();
      const read = readSectionForm(section, body);
      const saved = await saveSection(deps, person, request.params.id, section, read.input, {
        complete: action.complete,
      });
      if (!saved.ok) return show(read, saved.errors, 422);
      const next =
        section === 'affidavit'
          ? checkAnswersPath(app.prefix, request.params.id)
          : taskListPath(app.prefix, request.params.id);
      return reply.redirect(next, 303);
    },
  );
}

function SectionPage(props: {
  ctx: ViewContext;
  prefix: string;
  application: ApplicationView;
  person: Applicant;
  section: SectionName;
  form: ReadForm;
  errors: FieldErrors;
}) {
  const { application, section, errors } = props;
  const errorEntries = Object.entries(errors);
  const editable = application.state === 'draft';
  const title = SECTION_TITLES[section];
  return (
    <Layout ctx={props.ctx} title={title} hasErrors={errorEntries.length > 0}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
          <span class="portal-caption">
            Application <span data-application-reference>{application.reference}</span>
          </span>
          <h1>{title}</h1>
          {editable ? (
            <>
              <p class="usa-intro">{INTROS[section]}</p>
              <SectionForm {...props} />
              <p class="margin-top-4">
                <a href={taskListPath(props.prefix, application.id)}>Back to your application’s task list</a>
              </p>
            </>
          ) : (
            <>
              <p class="usa-intro" data-read-only>
                This application is no longer a draft (its status is {application.stateName.toLowerCase()}), so its
                answers can no longer be changed.
              </p>
              <div data-application-status={application.state} hidden />
              <SectionAnswers
                section={section}
                answers={application.sections[section]?.answers}
                person={props.person}
                contactEmail={application.contactEmail}
              />
              <p>
                <a href={`${props.prefix}/applications/${encodeURIComponent(application.id)}`}>
                  Go to application {application.reference}
                </a>
              </p>
            </>
          )}
        </div>
      </div>
    </Layout>
  );
}

function SectionForm({
  ctx,
  prefix,
  application,
  person,
  section,
  form,
  errors,
}: {
  ctx: ViewContext;
  prefix: string;
  application: ApplicationView;
  person: Applicant;
  section: SectionName;
  form: ReadForm;
  errors: FieldErrors;
}) {
  const values: FormValues = form.values;
  const affidavit = section === 'affidavit';
  let fields: ComponentChildren;
  if (isRowSection(section)) fields = <RowsFields section={section} rows={form.rows} values={values} errors={errors} />;
  else if (section === 'personal-details')
    fields = (
      <>
        <SummaryList rows={identityRows(person)} />
        <PersonalDetailsFields values={values} errors={errors} />
      </>
    );
  else if (section === 'character') fields = <CharacterFields values={values} errors={errors} />;
  else fields = <AffidavitFields values={values} errors={errors} />;
  return (
    <form
      class="usa-form usa-form--large"
      method="post"
      action={sectionPath(prefix, application.id, section)}
      noValidate
      data-section={section}
    >
      <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
      {/* Enter in a field presses a form's first button: make it "Save and continue", not a row's Remove. */}
      <button type="submit" name="action" value="continue" hidden tabIndex={-1} aria-hidden="true" />
      {fields}
      <div class="usa-button-group margin-top-4">
        <button class="usa-button" type="submit" name="action" value="continue">
          {affidavit ? 'Sign the affidavit' : 'Save and continue'}
        </button>
        {!affidavit && (
          <button class="usa-button usa-button--outline" type="submit" name="action" value="draft">
            Save as draft and come back later
          </button>
        )}
      </div>
      {section === 'character' && <script src="/assets/elar-reveal.js" defer />}
    </form>
  );
}
