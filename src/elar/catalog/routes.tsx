import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ComponentChildren } from 'preact';
import { publicRoute } from '../../platform/access.ts';
import { ErrorSummary, SelectField, StepIndicator, type Step } from '../../platform/views/form.tsx';
import { RadioQuestion } from '../../platform/views/radio-question.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { withArticle } from '../../platform/views/words.ts';
import { elarErrors } from '../errors.ts';
import type { ElarDb } from '../schema.ts';
import { APPLICATION_FEES, dollars } from './fees.ts';
import {
  findCategory,
  findOffering,
  listCategories,
  offeringsInCategory,
  offeringTitle,
  requirementTemplate,
  type LicenseCategory,
  type LicenseOffering,
  type RequirementTemplate,
} from './service.ts';

/**
 * "What do I need for this license?": a public page, no login, so that nobody pays for an
 * application that cannot succeed. One question a page, each a GET form, so every step works
 * without JavaScript and every answer is a URL a person can bookmark or send. Paths are
 * relative to ELAR's prefix.
 */

const BASE = '/elar/requirements';
const STEPS = ['Kind of license', 'Field and grade level', 'Type of license', 'What you need'];
const step = (current: number): Step => ({ current, labels: STEPS });
const CAPTION = 'Find out what you need for a license';

/** One answer from the query string, as a catalog code; codes are read in capitals however typed. */
function answer(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown>)[name];
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toUpperCase();
  return code === '' ? undefined : code;
}

export function registerCatalogRoutes(app: FastifyInstance, db: ElarDb): void {
  const open = publicRoute('anyone may find out what a license needs before applying (issue 13)');

  app.get('/requirements', open, async (request, reply) =>
    reply.page(<CategoryStep ctx={request.view} categories={await listCategories(db)} />),
  );

  app.get('/requirements/license', open, async (request, reply) => {
    const code = answer(request.query, 'category');
    if (!code) {
      const categories = await listCategories(db);
      return reply.page(
        <CategoryStep ctx={request.view} categories={categories} error="Choose a kind of license" />,
        400,
      );
    }
    const category = await findCategory(db, code);
    if (!category?.active)
      return notInCatalog(reply, request.view, `There is no kind of license with the code ${code}.`);
    return reply.page(
      <OfferingStep ctx={request.view} category={category} offerings={await offeringsInCategory(db, code)} />,
    );
  });

  app.get('/requirements/type', open, async (request, reply) => {
    const code = answer(request.query, 'license');
    if (!code) {
      const category = await findCategory(db, answer(request.query, 'category') ?? '');
      if (!category?.active) return notInCatalog(reply, request.view, 'Choose a kind of license first.');
      const offerings = await offeringsInCategory(db, category.code);
      return reply.page(
        <OfferingStep
          ctx={request.view}
          category={category}
          offerings={offerings}
          error="Choose a field and grade level"
        />,
        400,
      );
    }
    const offering = await findOffering(db, code);
    if (!offering?.active) return notInCatalog(reply, request.view, `There is no license with the code ${code}.`);
    return reply.page(<TypeStep ctx={request.view} offering={offering} />);
  });

  app.get('/requirements/checklist', open, async (request, reply) => {
    const code = answer(request.query, 'license');
    const offering = code ? await findOffering(db, code) : null;
    if (!offering?.active) {
      return notInCatalog(
        reply,
        request.view,
        code ? `There is no license with the code ${code}.` : 'Choose a license first.',
      );
    }
    const typeCode = answer(request.query, 'type');
    if (!typeCode) {
      return reply.page(<TypeStep ctx={request.view} offering={offering} error="Choose a type of license" />, 400);
    }
    const template = await requirementTemplate(db, offering.code, typeCode);
    if (!template) {
      return notInCatalog(
        reply,
        request.view,
        `${offeringTitle(offering)} is not issued as a license of type ${typeCode}.`,
        `${BASE}/type?license=${encodeURIComponent(offering.code)}`,
      );
    }
    return reply.page(<Checklist ctx={request.view} template={template} />);
  });
}

function notInCatalog(reply: FastifyReply, ctx: ViewContext, message: string, startAgain = BASE) {
  return reply.page(
    <Layout ctx={ctx} title="We could not find that license">
      <span class="portal-caption">{CAPTION}</span>
      <h1 data-error-code={elarErrors.catalogNotFound.code}>We could not find that license</h1>
      <p class="usa-intro">{message}</p>
      <p>
        <a class="usa-button" href={startAgain}>
          Choose a license
        </a>
      </p>
    </Layout>,
    404,
  );
}

function StepPage({
  ctx,
  title,
  stepNumber,
  error,
  children,
}: {
  ctx: ViewContext;
  title: string;
  stepNumber: number;
  error?: [string, string] | undefined;
  children: ComponentChildren;
}) {
  return (
    <Layout ctx={ctx} title={title} hasErrors={!!error}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          <StepIndicator step={step(stepNumber)} />
          {error && <ErrorSummary errors={[error]} />}
          <span class="portal-caption">{CAPTION}</span>
          {children}
        </div>
      </div>
    </Layout>
  );
}

function CategoryStep({ ctx, categories, error }: { ctx: ViewContext; categories: LicenseCategory[]; error?: string }) {
  return (
    <StepPage
      ctx={ctx}
      title="What kind of license is it?"
      stepNumber={1}
      error={error ? ['category', error] : undefined}
    >
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/license`}>
        <RadioQuestion
          name="category"
          question="What kind of license is it?"
          hint="Before you apply, see what a license needs: the degree, tests, programs and experience for each route to it, and what must be on file before we can start evaluating. You do not need to log in."
          options={categories.map((c) => ({ value: c.code, label: c.name }))}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
    </StepPage>
  );
}

function OfferingStep({
  ctx,
  category,
  offerings,
  error,
}: {
  ctx: ViewContext;
  category: LicenseCategory;
  offerings: LicenseOffering[];
  error?: string;
}) {
  const question = category.code === 'END' ? 'Which endorsement?' : 'Which field and grade level?';
  return (
    <StepPage ctx={ctx} title={question} stepNumber={2} error={error ? ['license', error] : undefined}>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/type`}>
        <input type="hidden" name="category" value={category.code} />
        <h1>{question}</h1>
        <p>{category.name}</p>
        <SelectField
          name="license"
          label="License"
          options={offerings.map((o) => [o.code, offeringTitle(o)])}
          error={error}
        />
        <button class="usa-button" type="submit">
          Continue
        </button>
      </form>
      <p>
        <a href={BASE}>Choose another kind of license</a>
      </p>
    </StepPage>
  );
}

function TypeStep({ ctx, offering, error }: { ctx: ViewContext; offering: LicenseOffering; error?: string }) {
  const question = `Which type of ${offeringTitle(offering)} license?`;
  return (
    <StepPage ctx={ctx} title={question} stepNumber={3} error={error ? ['type', error] : undefined}>
      <form class="usa-form usa-form--large" method="get" action={`${BASE}/checklist`}>
        <input type="hidden" name="license" value={offering.code} />
        <RadioQuestion
          name="type"
          question={question}
          hint={offering.category.name}
          options={offering.types.map((t) => ({ value: t.code, label: t.name, hint: t.lasts }))}
          error={error}
        />
        <button class="usa-button" type="submit">
          Show what I need
        </button>
      </form>
      <p>
        <a href={`${BASE}/license?category=${encodeURIComponent(offering.category.code)}`}>
          Choose another field or grade level
        </a>
      </p>
    </StepPage>
  );
}

function Checklist({ ctx, template }: { ctx: ViewContext; template: RequirementTemplate }) {
  const { offering, type, routes } = template;
  const title = `What you need for ${offeringTitle(offering)}, ${type.name}`;
  const gateItems = [
    ...new Map(routes.flatMap((r) => r.items.filter((i) => i.gate)).map((i) => [i.code, i.name])).values(),
  ];
  const apply = `/elar/applications/new?license=${encodeURIComponent(offering.code)}&type=${encodeURIComponent(type.code)}`;
  return (
    <StepPage ctx={ctx} title={title} stepNumber={4}>
      <h1 data-license={offering.code} data-type={type.code}>
        {title}
      </h1>
      <p class="usa-intro">
        {offering.category.name}.{' '}
        {type.lasts
          ? `${withArticle(`${type.name} license`, { startsSentence: true })} lasts ${lowerFirst(type.lasts)}.`
          : ''}
      </p>

      {gateItems.length > 0 && (
        <div class="usa-summary-box margin-y-3" role="region" aria-labelledby="gate-heading">
          <div class="usa-summary-box__body">
            <h2 class="usa-summary-box__heading" id="gate-heading">
              We can start evaluating only when these are on file
            </h2>
            <ul class="usa-list" data-gate-items>
              {gateItems.map((name) => (
                <li key={name}>{name}</li>
              ))}
            </ul>
            <p>Until then your application waits as Not Ready, and we write to tell you what is missing.</p>
          </div>
        </div>
      )}

      <h2>The fee</h2>
      <p data-fee>
        {dollars(APPLICATION_FEES.firstLicenseCents)} for the first license in an application, and{' '}
        {dollars(APPLICATION_FEES.additionalLicenseCents)} for each additional license in the same application. You pay
        by card when you submit it.
      </p>

      {routes.length === 0 ? (
        <p>There is no route to this license in the catalog yet. Call the Licensure Help Desk before you apply.</p>
      ) : (
        <>
          <h2>{routes.length === 1 ? 'The route to this license' : `${routes.length} routes to this license`}</h2>
          <p>{routes.length === 1 ? 'You need everything listed.' : 'You need everything listed for one route.'}</p>
          {routes.map((route, i) => (
            <section key={route.code} aria-labelledby={`route-${route.code}`} data-route={route.code}>
              <h3 id={`route-${route.code}`}>
                {routes.length > 1 ? `Route ${i + 1}: ` : ''}
                {route.name}
              </h3>
              <ul class="usa-list">
                {route.items.map((item) => (
                  <li key={item.code} data-item={item.code}>
                    <strong>{item.name}</strong>
                    {item.gate && (
                      <>
                        {' '}
                        <span class="usa-tag" data-gate>
                          Needed to start evaluation
                        </span>
                      </>
                    )}
                    {item.detail && <div class="usa-hint">{item.detail}</div>}
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}

      <p>
        <a class="usa-button" href={apply}>
          Apply for this license
        </a>
      </p>
      <p>
        <a href={`${BASE}/type?license=${encodeURIComponent(offering.code)}`}>Choose another type</a> or{' '}
        <a href={BASE}>start again with another license</a>.
      </p>
    </StepPage>
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
