import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { TextAreaField } from '../../platform/views/form.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { formatDollars } from './fees.ts';
import { APPLICATION_FEE, APPLICATION_PAYABLE } from './payables.ts';
import { GATE_ITEM_WORDS, whenWords } from './wording.ts';
import {
  loadApplication,
  reportGateItems,
  withdraw,
  type Applicant,
  type ApplicationDeps,
  type ApplicationView,
} from './service.ts';
import { isOpen } from './transitions.ts';
import { registerCheckAnswersRoutes } from './task-list/check-answers.tsx';
import { registerSectionRoutes } from './task-list/sections.tsx';
import { registerTaskListRoutes } from './task-list/task-list-page.tsx';

/**
 * The page about one application: where it stands in plain words, its timeline, its fee,
 * and withdrawing it. Paths are relative to ELAR's prefix. The page is current on every
 * load; the live-status script (platform/events) only enhances it.
 */
export interface ApplicationRouteOptions {
  deps: ApplicationDeps;
  /** ELAR's own access declaration (its pages sign people in themselves). */
  access: RouteShorthandOptions;
  /** The signed-in person; null once the reply has been sent to sign them in. */
  applicant(request: FastifyRequest, reply: FastifyReply): Promise<Applicant | null>;
}

export function registerApplicationRoutes(app: FastifyInstance, { deps, access, applicant }: ApplicationRouteOptions) {
  registerSectionRoutes(app, { deps, access, applicant });
  registerCheckAnswersRoutes(app, { deps, access, applicant });
  const pageOf = (id: string) => `${app.prefix}/applications/${encodeURIComponent(id)}`;

  app.get<{ Params: { id: string } }>('/applications/:id', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const application = await loadApplication(deps, person.sub, request.params.id);
    return reply.page(<ApplicationPage ctx={request.view} application={application} action={pageOf(application.id)} />);
  });

  // Gate items are self-reported until documents arrive (issue 13); all of them on file makes a
  // Not Ready application Ready for Review, in the service's one transaction.
  app.post<{ Params: { id: string } }>('/applications/:id/gate-items', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const sent = (request.body as Record<string, unknown> | undefined)?.items;
    const items = (Array.isArray(sent) ? sent : [sent]).filter((item): item is string => typeof item === 'string');
    await reportGateItems(deps, person.sub, request.params.id, items.slice(0, 10));
    return reply.redirect(pageOf(request.params.id), 303);
  });

  app.post<{ Params: { id: string } }>('/applications/:id/withdraw', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const version = typeof body.version === 'string' && /^\d{1,9}$/.test(body.version) ? Number(body.version) : -1;
    const reason = typeof body.reason === 'string' ? body.reason.slice(0, 2000) : null;
    // The version the person saw: if the application moved since, they are told, not surprised.
    await withdraw(deps, person.sub, request.params.id, { reason, expectedVersion: version });
    return reply.redirect(pageOf(request.params.id), 303);
  });

  // Applying: choosing the licenses (new or advance) and the draft's task list.
  registerTaskListRoutes(app, { deps, access, applicant });
}

/** The applicant as the portal's claims name them (`sub` is stable; MEPID and email only when the claims carry them). */
export function applicantFrom(claims: Record<string, unknown>): Applicant | null {
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  return {
    sub: claims.sub,
    mepid: typeof claims.mepid === 'string' ? claims.mepid : null,
    email: typeof claims.email === 'string' ? claims.email : null,
    name: typeof claims.name === 'string' ? claims.name : null,
    birthdate: typeof claims.birthdate === 'string' ? claims.birthdate : null,
  };
}

function ApplicationPage({
  ctx,
  application,
  action,
}: {
  ctx: ViewContext;
  application: ApplicationView;
  action: string;
}) {
  return (
    <Layout ctx={ctx} title={`Application ${application.reference}`}>
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>
        Application <span data-application-reference>{application.reference}</span>
      </h1>
      <div
        data-live-status
        data-live-application={application.id}
        data-last-event-id={application.timeline.at(-1)?.id ?? ''}
        hidden
      />
      <p class="usa-sr-only" aria-live="polite" data-live-announcer />
      <p class="usa-intro">
        Status:{' '}
        <strong class="usa-tag" data-application-status={application.state}>
          {application.stateName}
        </strong>
      </p>
      <p data-state-explanation>{application.explanation}</p>

      <h2>What you are applying for</h2>
      <ul class="usa-list">
        {application.licenses.map((license) => (
          <li data-license-choice={license.catalogCode}>
            {license.name} (route: {license.routeName})
          </li>
        ))}
      </ul>
      {application.state === 'draft' && (
        <p>
          <a class="usa-button" href={`${action}/tasks`}>
            Continue your application
          </a>
        </p>
      )}
      {(application.fee.kept || application.state === 'draft') && (
        <p>
          {application.fee.kept ? 'Fee: ' : 'Fee if you submit today: '}
          <strong>{formatDollars(application.fee.cents)}</strong>
          {application.paymentRef && (
            <>
              {' '}
              (paid: <a href={`/elar/payments/${application.paymentRef}/receipt`}>see your receipt</a>)
            </>
          )}
        </p>
      )}
      <GateItems ctx={ctx} application={application} action={`${action}/gate-items`} />
      {application.state === 'awaiting-payment' && (
        <section aria-labelledby="pay-heading" data-pay>
          <h2 id="pay-heading">Pay the fee</h2>
          <p>
            We start on your application once the fee is paid. You can pay now by card, or come back to this page and
            pay later: your application keeps this fee.
          </p>
          <PostForm
            ctx={ctx}
            action="/elar/payments/pay"
            fields={{ kind: APPLICATION_PAYABLE, payable: application.id, purpose: APPLICATION_FEE }}
            submitLabel={`Pay ${formatDollars(application.fee.cents)}`}
          />
        </section>
      )}

      <h2 id="timeline-heading">What has happened</h2>
      <ol class="usa-process-list" aria-labelledby="timeline-heading" data-timeline>
        {application.timeline.map((entry) => (
          <li class="usa-process-list__item" data-event-id={entry.id}>
            <p class="usa-process-list__heading">{entry.text}</p>
            {entry.reason && <p>Reason given: {entry.reason}</p>}
            <p>
              <time datetime={entry.at.toISOString()}>{whenWords(entry.at)}</time>
            </p>
          </li>
        ))}
      </ol>

      {isOpen(application.state) && (
        <section aria-labelledby="withdraw-heading" data-withdraw>
          <h2 id="withdraw-heading">Withdraw this application</h2>
          <p>
            If you withdraw it, nothing more will happen to this application. You can start a new application at any
            time.
          </p>
          <form class="usa-form" method="post" action={`${action}/withdraw`}>
            <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
            <input type="hidden" name="version" value={String(application.version)} />
            <TextAreaField name="reason" label="Why are you withdrawing it? (optional)" />
            <button class="usa-button usa-button--secondary" type="submit">
              Withdraw application {application.reference}
            </button>
          </form>
        </section>
      )}
      <p>
        <a href="/elar">Back to your ELAR home page</a>
      </p>
      <script src="/assets/elar-live.js" defer />
    </Layout>
  );
}

/** Where an application may still be told what is on file: before an evaluator has it. */
const GATE_ITEMS_ASKED: readonly string[] = ['draft', 'awaiting-payment', 'not-ready'];

function GateItems({ ctx, application, action }: { ctx: ViewContext; application: ApplicationView; action: string }) {
  const missing = application.gateItems.filter((g) => !g.reportedAt);
  return (
    <section aria-labelledby="gate-heading">
      <h2 id="gate-heading">What we need before an evaluator starts</h2>
      <ul class="usa-list" data-gate-items>
        {application.gateItems.map((g) => (
          <li data-gate-item={g.item} data-reported={g.reportedAt ? 'yes' : 'no'}>
            {GATE_ITEM_WORDS[g.item]}: <strong>{g.reportedAt ? 'you told us it is on file' : 'not yet on file'}</strong>
          </li>
        ))}
      </ul>
      {GATE_ITEMS_ASKED.includes(application.state) && missing.length > 0 && (
        <form class="usa-form" method="post" action={action}>
          <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
          <fieldset class="usa-fieldset">
            <legend class="usa-legend">Tick what has been sent to the Department</legend>
            {missing.map((g) => (
              <div class="usa-checkbox">
                <input class="usa-checkbox__input" type="checkbox" id={`gate-${g.item}`} name="items" value={g.item} />
                <label class="usa-checkbox__label" for={`gate-${g.item}`}>
                  {GATE_ITEM_WORDS[g.item]}
                </label>
              </div>
            ))}
          </fieldset>
          <button class="usa-button usa-button--outline" type="submit">
            Tell us these are on file
          </button>
        </form>
      )}
    </section>
  );
}
