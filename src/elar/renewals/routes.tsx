import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { HelpDeskPhone, Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { formatDollars, type Applicant } from '../applications/index.ts';
import { catalogNames, type CatalogNames } from '../catalog/index.ts';
import { agencyToday, dateWords } from '../dates.ts';
import { licensesHeldBy, type LicenseHeld } from '../licenses/index.ts';
import type { ElarDb } from '../schema.ts';
import {
  ADDITIONAL_LICENSE_PDPS,
  KEEP_RECORDS_YEARS,
  PDPS_FOR_A_TOPIC_TO_COUNT,
  PDPS_PER_REQUIRED_TOPIC,
  PRIMARY_LICENSE_PDPS,
  RENEWAL_FEE_CENTS,
  RENEWAL_OPENS_MONTHS_BEFORE,
  renewalWindow,
} from './rules.ts';

/** The catalog's code for the Professional license type, the one that is renewed. */
const PROFESSIONAL = 'PRO';

export interface RenewalRouteOptions {
  db: ElarDb;
  /** ELAR's own access declaration (its pages sign people in themselves). */
  access: RouteShorthandOptions;
  /** The signed-in person; null once the reply has been sent to sign them in. */
  applicant(request: FastifyRequest, reply: FastifyReply): Promise<Applicant | null>;
}

/**
 * `GET /elar/renewals/new` (CONTRACT.md: "Apply to Renew your Professional License"): the
 * person's Professional licenses and when each can be renewed, what renewing asks of them,
 * and the Licensure Help Desk, which renews a license today.
 */
export function registerRenewalRoutes(app: FastifyInstance, { db, access, applicant }: RenewalRouteOptions) {
  app.get('/renewals/new', access, async (request, reply) => {
    const person = await applicant(request, reply);
    if (!person) return reply;
    const professional = (await licensesHeldBy(db, person.sub)).filter((l) => l.typeCode === PROFESSIONAL);
    const names = await catalogNames(
      db,
      professional.map((l) => l.catalogCode),
    );
    return reply.page(<RenewalPage ctx={request.view} licenses={professional} names={names} today={agencyToday()} />);
  });
}

function RenewalPage({
  ctx,
  licenses,
  names,
  today,
}: {
  ctx: ViewContext;
  licenses: LicenseHeld[];
  names: CatalogNames;
  today: string;
}) {
  return (
    <Layout ctx={ctx} title="Renew your Professional license">
      <span class="portal-caption">Educator Licensure And Renewal (ELAR)</span>
      <h1>Renew your Professional license</h1>
      <p class="usa-intro">
        A Professional license lasts 5 calendar years. You can renew it in the {RENEWAL_OPENS_MONTHS_BEFORE} months
        before it ends. If it ends without being renewed, it becomes inactive/invalid.
      </p>
      {licenses.length === 0 ? (
        <section aria-labelledby="licenses-heading">
          <h2 id="licenses-heading">Your Professional licenses</h2>
          <p>
            You hold no Professional license, so there is nothing to renew. An Initial license advances to a
            Professional license once you have worked under it for 3 years and met the other requirements.
          </p>
          <p>
            <a class="usa-button" href="/elar/applications/new">
              Apply for a New License or Advance to the next level
            </a>
          </p>
        </section>
      ) : (
        <section aria-labelledby="licenses-heading">
          <h2 id="licenses-heading">Your Professional licenses</h2>
          <table class="usa-table usa-table--borderless usa-table--stacked width-full">
            <thead>
              <tr>
                <th scope="col">License number</th>
                <th scope="col">License</th>
                <th scope="col">Valid until</th>
                <th scope="col">When you can renew it</th>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => (
                <tr>
                  <th scope="row" data-label="License number" data-license-number={l.number}>
                    {l.number}
                  </th>
                  <td data-label="License">{names.license(l.catalogCode)}</td>
                  <td data-label="Valid until">{l.validUntil ? dateWords(l.validUntil) : 'No end date on record'}</td>
                  <td data-label="When you can renew it">
                    {l.validUntil && <Window until={l.validUntil} today={today} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section aria-labelledby="needs-heading">
        <h2 id="needs-heading">What renewing asks of you</h2>
        <ul class="usa-list">
          <li>
            {PRIMARY_LICENSE_PDPS} Professional Development Points (PDPs) in the 5 years of the license you choose as
            your primary license, with at least {PDPS_PER_REQUIRED_TOPIC} in your content area,{' '}
            {PDPS_PER_REQUIRED_TOPIC} in pedagogy, {PDPS_PER_REQUIRED_TOPIC} in Sheltered English Immersion, English as
            a Second Language or bilingual education, and {PDPS_PER_REQUIRED_TOPIC} in teaching students with
            disabilities and diverse learners. A topic counts only with at least {PDPS_FOR_A_TOPIC_TO_COUNT} PDPs.
          </li>
          <li>
            {ADDITIONAL_LICENSE_PDPS} more PDPs for each other license you renew with it, at least{' '}
            {PDPS_PER_REQUIRED_TOPIC} of them in that license's content area.
          </li>
          <li>
            An Individual Professional Development Plan for the 5 years. If you work in a public school, your supervisor
            approves it.
          </li>
          <li>A statement that what you report is true.</li>
          <li>
            The fee: {formatDollars(RENEWAL_FEE_CENTS.primary)} for your primary license and{' '}
            {formatDollars(RENEWAL_FEE_CENTS.additional)} for each other license.
          </li>
        </ul>
        <p>
          Keep your certificates and transcripts for {KEEP_RECORDS_YEARS} years after you renew: some renewals are
          checked, and you will be asked for them.
        </p>
      </section>
      <section aria-labelledby="renew-now-heading">
        <h2 id="renew-now-heading">How to renew now</h2>
        <p>
          Call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}. Have your license number
          and your record of Professional Development Points ready.
        </p>
      </section>
      <p>
        <a href="/elar">Back to your ELAR home page</a>
      </p>
    </Layout>
  );
}

function Window({ until, today }: { until: string; today: string }) {
  const { opens, state } = renewalWindow(until, today);
  if (state === 'open') return <>You can renew it now, until {dateWords(until)}.</>;
  if (state === 'not-yet') return <>From {dateWords(opens)}.</>;
  return <>It ended on {dateWords(until)} and is inactive/invalid. Call the Licensure Help Desk.</>;
}
