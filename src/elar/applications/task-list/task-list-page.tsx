import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { Layout, type ViewContext } from '../../../platform/views/layout.tsx';
import { formatDollars } from '../fees.ts';
import { loadApplication, type Applicant, type ApplicationDeps, type ApplicationView } from '../service.ts';
import { whenWords } from '../wording.ts';
import { registerChooseLicenseRoutes } from './choose-license.tsx';
import { registerLicensesSection } from './licenses-section.tsx';

/**
 * A draft application as a GOV.UK task list: each section with its status, linking to its
 * page (`/elar/applications/:id/sections/<name>`), then checking the answers and sending.
 * Saved after every step, so it resumes from any device at this address.
 */

export interface TaskListRouteOptions {
  deps: ApplicationDeps;
  /** ELAR's own access declaration (its pages sign people in themselves). */
  access: RouteShorthandOptions;
  /** The signed-in person; null once the reply has been sent to sign them in. */
  applicant(request: FastifyRequest, reply: FastifyReply): Promise<Applicant | null>;
}

/** The task list's sections, in order, grouped as the person sees them. */
const GROUPS = [
  { heading: 'About you', sections: [['personal-details', 'Personal details']] },
  { heading: 'What you are applying for', sections: [['licenses', 'Licenses you are applying for']] },
  {
    heading: 'Your qualifications and experience',
    sections: [
      ['education', 'Education'],
      ['tests', 'Tests'],
      ['employment', 'Employment'],
      ['other-states', 'Licenses held in other states'],
    ],
  },
  { heading: 'Character', sections: [['character', 'Character questions']] },
] as const;

type TaskStatus = 'Completed' | 'In progress' | 'Not started' | 'Cannot start yet';

/** Registers the task list and the license chooser (new application, advance, add or remove a license). */
export function registerTaskListRoutes(app: FastifyInstance, options: TaskListRouteOptions) {
  const { deps, access, applicant } = options;
  app.get<{ Params: { id: string } }>('/applications/:id/tasks', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const application = await loadApplication(deps, person.sub, request.params.id);
    // Once sent, the answers are fixed: the application's own page says where it stands.
    if (application.state !== 'draft') return reply.redirect(`/elar/applications/${application.id}`, 303);
    return reply.page(<TaskListPage ctx={request.view} application={application} />);
  });
  registerChooseLicenseRoutes(app, options);
  registerLicensesSection(app, options);
}

function statusOf(application: ApplicationView, section: string): TaskStatus {
  if (section === 'licenses') return application.licenses.length > 0 ? 'Completed' : 'Not started';
  const saved = application.sections[section];
  if (saved?.complete) return 'Completed';
  return saved ? 'In progress' : 'Not started';
}

function TaskListPage({ ctx, application }: { ctx: ViewContext; application: ApplicationView }) {
  const base = `/elar/applications/${application.id}`;
  const statuses = GROUPS.flatMap((g) => g.sections.map(([name]) => statusOf(application, name)));
  const done = statuses.filter((s) => s === 'Completed').length;
  const ready = done === statuses.length;
  const sent: TaskStatus = !ready
    ? 'Cannot start yet'
    : application.sections.affidavit?.complete
      ? 'Completed'
      : 'Not started';
  return (
    <Layout ctx={ctx} title={`Application ${application.reference}: your task list`}>
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>
        Application <span data-application-reference>{application.reference}</span>
      </h1>
      <p class="usa-intro">
        Status:{' '}
        <strong class="usa-tag" data-application-status={application.state}>
          {application.stateName}
        </strong>
      </p>
      <p data-progress="">
        You have completed {done} of {statuses.length} sections. We save your answers as you go: you can come back to
        this page from any device.
        {application.draftExpiresAt && (
          <>
            {' '}
            If you do not send it, we delete this draft on{' '}
            <time datetime={application.draftExpiresAt.toISOString()}>{whenWords(application.draftExpiresAt)}</time>.
          </>
        )}
      </p>
      <p>
        Fee if you send it today: <strong data-fee="">{formatDollars(application.fee.cents)}</strong>
      </p>
      <ol class="usa-list usa-list--unstyled" data-task-list="">
        {GROUPS.map((group, g) => (
          <li key={group.heading} class="margin-bottom-4">
            <h2 class="font-heading-lg">
              {g + 1}. {group.heading}
            </h2>
            <ul class="usa-list usa-list--unstyled border-top-1px border-base-lighter">
              {group.sections.map(([name, label]) => (
                <TaskRow
                  key={name}
                  id={name}
                  label={label}
                  href={`${base}/sections/${name}`}
                  status={statusOf(application, name)}
                />
              ))}
            </ul>
          </li>
        ))}
        <li>
          <h2 class="font-heading-lg">{GROUPS.length + 1}. Check and send</h2>
          <ul class="usa-list usa-list--unstyled border-top-1px border-base-lighter">
            <TaskRow
              id="check-answers"
              label="Check your answers, sign the affidavit and send"
              href={ready ? `${base}/check-answers` : undefined}
              status={sent}
            />
          </ul>
        </li>
      </ol>
      <p>
        <a href={base}>See this application's status and history</a>
      </p>
      <p>
        <a href="/elar">Back to your ELAR home page</a>
      </p>
    </Layout>
  );
}

/** One row: the section's name (a link once it can be started) and its status, which the link names for screen readers. */
function TaskRow({
  id,
  label,
  href,
  status,
}: {
  id: string;
  label: string;
  href?: string | undefined;
  status: TaskStatus;
}) {
  const statusId = `${id}-status`;
  const tag = status === 'Completed' ? 'usa-tag' : 'usa-tag bg-base-lighter text-ink';
  return (
    <li
      class="display-flex flex-justify flex-align-center padding-y-2 border-bottom-1px border-base-lighter"
      data-task={id}
      data-task-status={status}
    >
      {href ? (
        <a href={href} aria-describedby={statusId}>
          {label}
        </a>
      ) : (
        <span>{label}</span>
      )}
      <strong class={tag} id={statusId}>
        {status}
      </strong>
    </li>
  );
}
