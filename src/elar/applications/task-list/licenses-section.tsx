import type { FastifyInstance } from 'fastify';
import { ErrorSummary, type FieldErrors } from '../../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../../platform/views/layout.tsx';
import { PostForm } from '../../../platform/views/post-form.tsx';
import { formatDollars } from '../fees.ts';
import { feeScheduleNow, loadApplication, removeLicense, type ApplicationView } from '../service.ts';
import type { TaskListRouteOptions } from './task-list-page.tsx';

/**
 * The task list's "Licenses you are applying for": the licenses in a draft, each named in the
 * catalog's words, with the fee they make; add another (the chooser, carrying the draft) or
 * remove one. Every change is saved at once.
 */
export function registerLicensesSection(app: FastifyInstance, { deps, access, applicant }: TaskListRouteOptions) {
  async function render(
    ctx: ViewContext,
    application: ApplicationView,
    { errors, status = 200 }: { errors?: FieldErrors; status?: number } = {},
  ) {
    const schedule = await feeScheduleNow(deps);
    const rule = `${formatDollars(schedule.firstLicenseCents)} for the first license and ${formatDollars(schedule.additionalLicenseCents)} for each additional one`;
    return { page: <LicensesSection ctx={ctx} application={application} rule={rule} errors={errors} />, status };
  }

  app.get<{ Params: { id: string } }>('/applications/:id/sections/licenses', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const application = await loadApplication(deps, person.sub, request.params.id);
    if (application.state !== 'draft') return reply.redirect(`/elar/applications/${application.id}`, 303);
    const { page } = await render(request.view, application);
    return reply.page(page);
  });

  app.post<{ Params: { id: string } }>('/applications/:id/licenses/remove', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const license = (request.body as Record<string, unknown> | undefined)?.license;
    const removed = await removeLicense(
      deps,
      person,
      request.params.id,
      typeof license === 'string' ? license.slice(0, 40) : '',
    );
    if (!removed.ok) {
      const application = await loadApplication(deps, person.sub, request.params.id);
      const { page } = await render(request.view, application, { errors: removed.errors });
      return reply.page(page, 422);
    }
    return reply.redirect(`/elar/applications/${encodeURIComponent(request.params.id)}/sections/licenses`, 303);
  });
}

function LicensesSection({
  ctx,
  application,
  rule,
  errors,
}: {
  ctx: ViewContext;
  application: ApplicationView;
  rule: string;
  errors?: FieldErrors | undefined;
}) {
  const base = `/elar/applications/${application.id}`;
  const errorEntries = Object.entries(errors ?? {});
  return (
    <Layout ctx={ctx} title="Licenses you are applying for" hasErrors={errorEntries.length > 0}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
          <span class="portal-caption">Application {application.reference}</span>
          <h1>Licenses you are applying for</h1>
          <ul class="usa-list usa-list--unstyled" id="license" data-licenses="">
            {application.licenses.map((license) => (
              <li
                key={license.catalogCode}
                class="display-flex flex-justify flex-align-center padding-y-2 border-bottom-1px border-base-lighter"
                data-license-choice={license.catalogCode}
              >
                <span>
                  <strong>{license.name}</strong>
                  <br />
                  Route: {license.routeName}
                </span>
                {application.licenses.length > 1 && (
                  <PostForm
                    ctx={ctx}
                    action={`${base}/licenses/remove`}
                    fields={{ license: license.catalogCode }}
                    submitLabel="Remove"
                    submitFor={license.name}
                    look="unstyled"
                  />
                )}
              </li>
            ))}
          </ul>
          <p>
            Fee for{' '}
            {application.licenses.length === 1 ? 'this license' : `these ${application.licenses.length} licenses`}:{' '}
            <strong data-fee="">{formatDollars(application.fee.cents)}</strong> ({rule} in the same application). You
            pay it when you send the application.
          </p>
          <p>
            <a class="usa-button usa-button--outline" href={`/elar/applications/new?draft=${application.id}`}>
              Add another license
            </a>
          </p>
          <p>
            <a class="usa-button" href={`${base}/tasks`}>
              Back to your task list
            </a>
          </p>
        </div>
      </div>
    </Layout>
  );
}
