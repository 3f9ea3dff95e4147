import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { PortalError } from '../../../platform/errors.ts';
import { ErrorSummary, SelectField, StepIndicator, type FieldErrors } from '../../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../../platform/views/layout.tsx';
import {
  findCategory,
  findOffering,
  listCategories,
  nextTypeUp,
  offeringsInCategory,
  requirementTemplate,
  type LicenseCategory,
  type LicenseOffering,
  type RequirementTemplate,
} from '../../catalog/index.ts';
import { elarErrors } from '../../errors.ts';
import { licensesHeldBy } from '../../licenses/index.ts';
import { formatDollars, quoteFee } from '../fees.ts';
import {
  addLicense,
  feeScheduleNow,
  loadApplication,
  openApplicationForLicense,
  startDraft,
  type ApplicationDeps,
} from '../service.ts';
import { licenseTitle, offeringName } from './license-names.ts';
import { RadioQuestion } from '../../../platform/views/radio-question.tsx';
import type { TaskListRouteOptions } from './task-list-page.tsx';

/**
 * "Apply for a New License or Advance to the next level" (CONTRACT.md: the Welcome Page links
 * /elar/applications/new). One question a page, as GET forms carrying the choices so far in
 * the query, so every step works without JavaScript and Back works: what kind of license →
 * which field and grade level → which type → which route. The last step posts (with its
 * CSRF token) and the server checks every code against the catalog again: a new draft, or one
 * more license in a draft (`draft` in the query). A person holding a license that advances
 * is first offered its next type.
 */

const BASE = '/elar/applications/new';
/** The same, relative to ELAR's prefix, for registering the routes. */
const NEW = '/applications/new';
const STEPS = ['Kind of license', 'Field and grade level', 'Type of license', 'Route'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A code from the query or the form, in capitals as the catalog writes them; absent when empty or not text. */
function code(source: unknown, name: string): string | undefined {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().toUpperCase();
  return trimmed === '' ? undefined : trimmed.slice(0, 40);
}

/** The draft a license is being added to: the person's own, and still a draft. */
interface DraftContext {
  id: string;
  reference: string;
  licenseCount: number;
}

function withDraft(path: string, draft: DraftContext | undefined, query: Record<string, string> = {}) {
  const params = new URLSearchParams(query);
  if (draft) params.set('draft', draft.id);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A license the person holds and the type it advances to. */
interface Advance {
  value: string;
  label: string;
  catalogCode: string;
  typeCode: string;
}

async function advancesFor(deps: ApplicationDeps, personSub: string): Promise<Advance[]> {
  const held = (await licensesHeldBy(deps.db, personSub)).filter((l) => l.status === 'active');
  const advances: Advance[] = [];
  for (const license of held) {
    const next = await nextTypeUp(deps.db, license.catalogCode, license.typeCode);
    if (!next) continue;
    const offering = await findOffering(deps.db, license.catalogCode);
    if (!offering) continue;
    advances.push({
      value: `${license.catalogCode}:${next.code}`,
      label: `Advance your ${offeringName(offering)} license (number ${license.number}) from ${license.typeName} to ${next.name}`,
      catalogCode: license.catalogCode,
      typeCode: next.code,
    });
  }
  return advances;
}

export function registerChooseLicenseRoutes(app: FastifyInstance, { deps, access, applicant }: TaskListRouteOptions) {
  async function draftContext(request: FastifyRequest, personSub: string): Promise<DraftContext | undefined> {
    const query = request.query as Record<string, unknown>;
    const id = typeof query.draft === 'string' ? query.draft : undefined;
    if (id === undefined || id === '') return undefined;
    if (!UUID.test(id)) throw elarErrors.applicationNotFound();
    const application = await loadApplication(deps, personSub, id);
    if (application.state !== 'draft') throw elarErrors.notADraft();
    return { id: application.id, reference: application.reference, licenseCount: application.licenses.length };
  }

  async function feeWords(draft: DraftContext | undefined) {
    const schedule = await feeScheduleNow(deps);
    const count = (draft?.licenseCount ?? 0) + 1;
    const fee = formatDollars(quoteFee(schedule, count).cents);
    const rule = `${formatDollars(schedule.firstLicenseCents)} for the first license and ${formatDollars(schedule.additionalLicenseCents)} for each additional one in the same application`;
    return draft
      ? `With this license, the fee for application ${draft.reference} becomes ${fee} (${rule}).`
      : `The fee for an application for this license is ${fee} (${rule}). You pay it when you send the application.`;
  }

  /** The route step: the one page of the flow that posts. */
  async function routeStep(
    request: FastifyRequest,
    reply: FastifyReply,
    template: RequirementTemplate,
    draft: DraftContext | undefined,
    { route, error, status = 200 }: { route?: string | undefined; error?: string | undefined; status?: number } = {},
  ) {
    return reply.page(
      <RouteStep
        ctx={request.view}
        template={template}
        draft={draft}
        fee={await feeWords(draft)}
        route={route}
        error={error}
      />,
      status,
    );
  }

  /** Shows the step a refused choice belongs to, with the refusal (422), whichever field it was about. */
  async function refusedChoice(
    request: FastifyRequest,
    reply: FastifyReply,
    draft: DraftContext | undefined,
    chosen: { license?: string | undefined; type?: string | undefined; route?: string | undefined },
    errors: FieldErrors,
  ) {
    const offering = chosen.license ? await findOffering(deps.db, chosen.license) : null;
    const template = offering && chosen.type ? await requirementTemplate(deps.db, offering.code, chosen.type) : null;
    const licenseError = errors['0.catalogCode'];
    if (licenseError || !offering?.active) {
      const categories = await listCategories(deps.db);
      const message = licenseError ?? 'Choose a license from the list';
      return reply.page(<CategoryStep ctx={request.view} categories={categories} draft={draft} error={message} />, 422);
    }
    if (errors['0.typeCode'] || !template) {
      const message = errors['0.typeCode'] ?? 'Choose the type of license';
      return reply.page(<TypeStep ctx={request.view} offering={offering} draft={draft} error={message} />, 422);
    }
    const message = errors['0.route'] ?? errors['0.catalogCode'] ?? errors.licenses ?? Object.values(errors)[0];
    return routeStep(request, reply, template, draft, { route: chosen.route, error: message, status: 422 });
  }

  /** A second open application for the same license: the refusal names the open one and links to it. */
  async function alreadyOpen(request: FastifyRequest, reply: FastifyReply, personSub: string, license: string) {
    const [open, offering] = await Promise.all([
      openApplicationForLicense(deps, personSub, license),
      findOffering(deps.db, license),
    ]);
    return reply.page(
      <AlreadyOpenPage
        ctx={request.view}
        name={offering ? offeringName(offering) : 'this license'}
        open={open ?? undefined}
      />,
      409,
    );
  }

  app.get(NEW, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    const license = code(request.query, 'license');
    const type = code(request.query, 'type');
    // From the requirements page's "Apply for this license": straight to its routes.
    if (license && type) return reply.redirect(withDraft(`${BASE}/route`, draft, { license, type }), 303);
    const advances = await advancesFor(deps, person.sub);
    if (advances.length > 0) return reply.page(<StartPage ctx={request.view} advances={advances} draft={draft} />);
    return reply.page(<CategoryStep ctx={request.view} categories={await listCategories(deps.db)} draft={draft} />);
  });

  app.get(`${NEW}/start`, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    const choice = (request.query as Record<string, unknown>).choice;
    if (choice === 'new') return reply.redirect(withDraft(`${BASE}/category`, draft), 303);
    const advances = await advancesFor(deps, person.sub);
    // Only an advance of a license this person holds, to its next type: never a type of the browser's choosing.
    const advance = advances.find((a) => a.value === choice);
    if (!advance) {
      return reply.page(
        <StartPage ctx={request.view} advances={advances} draft={draft} error="Choose what you want to apply for" />,
        422,
      );
    }
    return reply.redirect(
      withDraft(`${BASE}/route`, draft, { license: advance.catalogCode, type: advance.typeCode }),
      303,
    );
  });

  app.get(`${NEW}/category`, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    return reply.page(<CategoryStep ctx={request.view} categories={await listCategories(deps.db)} draft={draft} />);
  });

  app.get(`${NEW}/license`, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    const categoryCode = code(request.query, 'category');
    const category = categoryCode ? await findCategory(deps.db, categoryCode) : null;
    if (!category?.active) {
      const error = categoryCode ? 'Choose a kind of license from the list' : 'Choose a kind of license';
      const categories = await listCategories(deps.db);
      return reply.page(<CategoryStep ctx={request.view} categories={categories} draft={draft} error={error} />, 422);
    }
    const offerings = await offeringsInCategory(deps.db, category.code);
    return reply.page(<OfferingStep ctx={request.view} category={category} offerings={offerings} draft={draft} />);
  });

  app.get(`${NEW}/type`, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    const licenseCode = code(request.query, 'license');
    const offering = licenseCode ? await findOffering(deps.db, licenseCode) : null;
    if (!offering?.active) {
      const category = await findCategory(deps.db, code(request.query, 'category') ?? '');
      const error = licenseCode ? 'Choose a license from the list' : 'Choose a field and grade level';
      if (category?.active) {
        const offerings = await offeringsInCategory(deps.db, category.code);
        return reply.page(
          <OfferingStep ctx={request.view} category={category} offerings={offerings} draft={draft} error={error} />,
          422,
        );
      }
      const categories = await listCategories(deps.db);
      return reply.page(<CategoryStep ctx={request.view} categories={categories} draft={draft} error={error} />, 422);
    }
    return reply.page(<TypeStep ctx={request.view} offering={offering} draft={draft} />);
  });

  app.get(`${NEW}/route`, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const draft = await draftContext(request, person.sub);
    const license = code(request.query, 'license');
    const type = code(request.query, 'type');
    const offering = license ? await findOffering(deps.db, license) : null;
    const template = offering?.active && type ? await requirementTemplate(deps.db, offering.code, type) : null;
    if (!template) {
      const errors: FieldErrors = !offering?.active
        ? { '0.catalogCode': license ? 'Choose a license from the list' : 'Choose a license' }
        : {
            '0.typeCode': type
              ? `${offeringName(offering)} is not issued as that type of license: choose one of the types listed`
              : 'Choose the type of license',
          };
      return refusedChoice(request, reply, draft, { license, type }, errors);
    }
    return routeStep(request, reply, template, draft);
  });

  app.post(NEW, access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const chosen = chosenIn(request.body);
    try {
      const started = await startDraft(deps, person, [
        { catalogCode: chosen.license ?? '', typeCode: chosen.type ?? '', route: chosen.route ?? '' },
      ]);
      if (!started.ok) return refusedChoice(request, reply, undefined, chosen, started.errors);
      return reply.redirect(`/elar/applications/${started.id}/tasks`, 303);
    } catch (error) {
      if (error instanceof PortalError && error.code === elarErrors.licenseAlreadyOpen.code && chosen.license)
        return alreadyOpen(request, reply, person.sub, chosen.license);
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>('/applications/:id/licenses', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const chosen = chosenIn(request.body);
    try {
      const added = await addLicense(deps, person, request.params.id, {
        catalogCode: chosen.license ?? '',
        typeCode: chosen.type ?? '',
        route: chosen.route ?? '',
      });
      if (!added.ok) {
        const application = await loadApplication(deps, person.sub, request.params.id);
        const draft = {
          id: application.id,
          reference: application.reference,
          licenseCount: application.licenses.length,
        };
        return refusedChoice(request, reply, draft, chosen, added.errors);
      }
      return reply.redirect(`/elar/applications/${encodeURIComponent(request.params.id)}/sections/licenses`, 303);
    } catch (error) {
      if (error instanceof PortalError && error.code === elarErrors.licenseAlreadyOpen.code && chosen.license)
        return alreadyOpen(request, reply, person.sub, chosen.license);
      throw error;
    }
  });
}

function chosenIn(body: unknown) {
  return { license: code(body, 'license'), type: code(body, 'type'), route: code(body, 'route') };
}

function StepPage({
  ctx,
  title,
  stepNumber,
  draft,
  error,
  children,
}: {
  ctx: ViewContext;
  title: string;
  stepNumber?: number;
  draft: DraftContext | undefined;
  error?: [field: string, message: string] | undefined;
  children: ComponentChildren;
}) {
  return (
    <Layout ctx={ctx} title={title} hasErrors={!!error}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          {stepNumber && <StepIndicator step={{ current: stepNumber, labels: STEPS }} />}
          {error && <ErrorSummary errors={[error]} />}
          <span class="portal-caption">
            {draft ? `Add a license to application ${draft.reference}` : 'Apply for a license'}
          </span>
          {children}
        </div>
      </div>
    </Layout>
  );
}

function DraftField({ draft }: { draft: DraftContext | undefined }) {
  return draft ? <input type="hidden" name="draft" value={draft.id} /> : null;
}

function StartPage({
  ctx,
  advances,
  draft,
  error,
}: {
  ctx: ViewContext;
  advances: Advance[];
  draft: DraftContext | undefined;
  error?: string;
}) {
  const question = 'What do you want to apply for?';
  return (
    <StepPage ctx={ctx} title={question} draft={draft} error={error ? ['choice', error] : undefined}>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/start`}>
        <DraftField draft={draft} />
        <RadioQuestion
          name="choice"
          question={question}
          hint="You can advance a license you hold to the next level, or apply for a new license."
          options={[
            ...advances.map((a) => ({ value: a.value, label: a.label })),
            { value: 'new', label: 'A new license' },
          ]}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
    </StepPage>
  );
}

function CategoryStep({
  ctx,
  categories,
  draft,
  error,
}: {
  ctx: ViewContext;
  categories: LicenseCategory[];
  draft: DraftContext | undefined;
  error?: string | undefined;
}) {
  const question = 'What kind of license do you want to apply for?';
  return (
    <StepPage ctx={ctx} title={question} stepNumber={1} draft={draft} error={error ? ['category', error] : undefined}>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/license`}>
        <DraftField draft={draft} />
        <RadioQuestion
          name="category"
          question={question}
          options={categories.map((c) => ({ value: c.code, label: c.name }))}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
      <p>
        Not sure which license you need? <a href="/elar/requirements">Find out what each license needs</a>.
      </p>
    </StepPage>
  );
}

function OfferingStep({
  ctx,
  category,
  offerings,
  draft,
  error,
}: {
  ctx: ViewContext;
  category: LicenseCategory;
  offerings: LicenseOffering[];
  draft: DraftContext | undefined;
  error?: string;
}) {
  const question = category.code === 'END' ? 'Which endorsement?' : 'Which field and grade level?';
  return (
    <StepPage ctx={ctx} title={question} stepNumber={2} draft={draft} error={error ? ['license', error] : undefined}>
      <h1>{question}</h1>
      <p>{category.name}</p>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/type`}>
        <DraftField draft={draft} />
        <input type="hidden" name="category" value={category.code} />
        <SelectField
          name="license"
          label={category.code === 'END' ? 'Endorsement' : 'Field and grade level'}
          options={offerings.map((o) => [o.code, offeringName(o)])}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
      <p>
        <a href={withDraft(`${BASE}/category`, draft)}>Back: choose another kind of license</a>
      </p>
    </StepPage>
  );
}

function TypeStep({
  ctx,
  offering,
  draft,
  error,
}: {
  ctx: ViewContext;
  offering: LicenseOffering;
  draft: DraftContext | undefined;
  error?: string | undefined;
}) {
  const question = `Which type of ${offeringName(offering)} license?`;
  return (
    <StepPage ctx={ctx} title={question} stepNumber={3} draft={draft} error={error ? ['type', error] : undefined}>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/route`}>
        <DraftField draft={draft} />
        <input type="hidden" name="license" value={offering.code} />
        <RadioQuestion
          name="type"
          question={question}
          hint={offering.category.name}
          options={offering.types.map((t) => ({ value: t.code, label: t.name, hint: t.lasts }))}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
      <p>
        <a href={withDraft(`${BASE}/license`, draft, { category: offering.category.code })}>
          Back: choose another field or grade level
        </a>
      </p>
    </StepPage>
  );
}

function RouteStep({
  ctx,
  template,
  draft,
  fee,
  route,
  error,
}: {
  ctx: ViewContext;
  template: RequirementTemplate;
  draft: DraftContext | undefined;
  fee: string;
  route?: string | undefined;
  error?: string | undefined;
}) {
  const { offering, type, routes } = template;
  const name = licenseTitle({ ...offering, typeName: type.name });
  const question = `How do you qualify for ${name}?`;
  const requirements = `/elar/requirements/checklist?license=${encodeURIComponent(offering.code)}&type=${encodeURIComponent(type.code)}`;
  const back = withDraft(`${BASE}/type`, draft, { license: offering.code });
  if (routes.length === 0) {
    return (
      <StepPage ctx={ctx} title={name} stepNumber={4} draft={draft}>
        <h1>{name}</h1>
        <p class="usa-intro">
          There is no route to this license that you can apply for online. Call the Licensure Help Desk before you
          apply.
        </p>
        <p>
          <a href={back}>Back: choose another type</a>
        </p>
      </StepPage>
    );
  }
  return (
    <StepPage ctx={ctx} title={question} stepNumber={4} draft={draft} error={error ? ['route', error] : undefined}>
      <form
        class="usa-form usa-form--large"
        method="post"
        action={draft ? `/elar/applications/${draft.id}/licenses` : BASE}
        noValidate
      >
        <input type="hidden" name="_csrf" value={ctx.csrfToken()} />
        <input type="hidden" name="license" value={offering.code} />
        <input type="hidden" name="type" value={type.code} />
        <RadioQuestion
          name="route"
          question={question}
          hint={
            <>
              Each route is a way to qualify: choose the one that fits you.{' '}
              <a href={requirements}>See everything each route needs</a>.
            </>
          }
          options={routes.map((r) => ({
            value: r.code,
            label: r.name,
            hint: r.items
              .filter((i) => !i.everyApplication)
              .map((i) => i.name)
              .join('; '),
          }))}
          checked={route}
          error={error}
        />
        <p data-fee="">{fee}</p>
        <button class="usa-button" type="submit">
          {draft ? 'Add this license' : 'Start my application'}
        </button>
      </form>
      <p>
        <a href={back}>Back: choose another type</a>
      </p>
    </StepPage>
  );
}

function AlreadyOpenPage({
  ctx,
  name,
  open,
}: {
  ctx: ViewContext;
  name: string;
  open: { id: string; reference: string; state: string } | undefined;
}) {
  const title = 'You already have an application for this license';
  return (
    <Layout ctx={ctx} title={title}>
      <span class="portal-caption">Apply for a license</span>
      <h1 data-error-code={elarErrors.licenseAlreadyOpen.code}>{title}</h1>
      {open ? (
        <>
          <p class="usa-intro">
            Your application <strong data-open-reference="">{open.reference}</strong> for {name} is still open. Continue
            that one, or withdraw it before you start another.
          </p>
          <p>
            <a
              class="usa-button"
              href={open.state === 'draft' ? `/elar/applications/${open.id}/tasks` : `/elar/applications/${open.id}`}
            >
              Go to application {open.reference}
            </a>
          </p>
        </>
      ) : (
        <p class="usa-intro">
          You have an open application for {name}. Continue that one, or withdraw it before you start another.
        </p>
      )}
      <p>
        <a href="/elar">Back to your ELAR home page</a>
      </p>
    </Layout>
  );
}
