import {
  formatDollars,
  listApplications,
  loadApplicationSettings,
  registerApplicationPayments,
  reportGateItems,
  saveSection,
  startDraft,
  submit,
  withdraw,
  APPLICATION_FEE,
  APPLICATION_PAYABLE,
  GATE_ITEMS,
  type Applicant,
  type ApplicationDeps,
  type ApplicationState,
  type SectionName,
} from './applications/index.ts';
import { catalogNames, loadShippedCatalog } from './catalog/index.ts';
import { agencyToday, dateWords } from './dates.ts';
import { issueLicense, licensesHeldBy } from './licenses/index.ts';
import { PAYING_CARD, payWithTestCard } from './payments/index.ts';
import type { ElarDb } from './schema.ts';

/**
 * The demo educator's ELAR (DEMO=1, `npm run seed:demo`): licenses held and applications in
 * the states a newcomer should see, each made by the services a person's clicks call, so
 * every row has its timeline entry and audit row, and the paid ones were paid with the test
 * card through the test provider. Idempotent, by what the person already has: a license held
 * or an application asking for the same license is left alone, so a second run adds nothing
 * (and a run cut short is finished by the next).
 */

const AUDIT_ACTOR = 'system:demo';

/** The licenses held: an Initial worked under for 3 years (so Advance offers Professional), and a Professional to renew. */
function heldLicenses(today: string) {
  return [
    {
      catalogCode: 'TCH-BIO-8-12',
      typeCode: 'INI',
      validFrom: shiftDate(today, { years: -3, months: -2 }),
      validUntil: null,
      employmentYears: 3,
    },
    {
      // Five calendar years that end within the year: its renewal window is open.
      catalogCode: 'TCH-GSCI-5-8',
      typeCode: 'PRO',
      validFrom: shiftDate(today, { years: -5, months: 5 }),
      validUntil: shiftDate(today, { months: 5 }),
      employmentYears: 0,
    },
  ];
}

type Outcome = Extract<ApplicationState, 'draft' | 'awaiting-payment' | 'not-ready' | 'ready-for-review' | 'withdrawn'>;

interface DemoApplication {
  outcome: Outcome;
  licenses: { catalogCode: string; typeCode: string; route: string }[];
  /** The sections answered; every one of them unless the outcome is a draft. */
  sections: SectionName[];
  /** Gate items the person says are on file before paying: all of them for Ready for Review. */
  gateItems: boolean;
}

const initial = (catalogCode: string) => ({ catalogCode, typeCode: 'INI', route: 'PREP' });
const EVERY_SECTION: SectionName[] = [
  'personal-details',
  'education',
  'tests',
  'employment',
  'other-states',
  'character',
  'affidavit',
];

/** Oldest first, so the references run in this order. Biology (8-12) is left free for the newcomer to advance. */
const DEMO_APPLICATIONS: DemoApplication[] = [
  { outcome: 'withdrawn', licenses: [initial('TCH-CHEM-8-12')], sections: EVERY_SECTION, gateItems: false },
  { outcome: 'not-ready', licenses: [initial('TCH-ESL-5-12')], sections: EVERY_SECTION, gateItems: false },
  { outcome: 'ready-for-review', licenses: [initial('TCH-MOD-5-12')], sections: EVERY_SECTION, gateItems: true },
  {
    outcome: 'awaiting-payment',
    licenses: [initial('TCH-PHYS-8-12'), initial('TCH-ESS-8-12')],
    sections: EVERY_SECTION,
    gateItems: false,
  },
  {
    outcome: 'draft',
    licenses: [initial('TCH-MATH-8-12')],
    sections: ['personal-details', 'education'],
    gateItems: false,
  },
];

function answers(educator: DemoEducator): Record<SectionName, unknown> {
  return {
    'personal-details': {
      email: '',
      phone: '781 555 0142',
      addressLine1: '75 Pleasant Street',
      city: 'Malden',
      state: 'MA',
      postalCode: '02148',
    },
    education: {
      degrees: [
        {
          level: 'bachelor',
          subject: 'Biology',
          institution: 'University of Massachusetts Boston',
          awarded: '2008-05',
        },
        { level: 'master', subject: 'Education', institution: 'Salem State University', awarded: '2014-05' },
      ],
    },
    tests: { tests: [{ name: 'Communication and Literacy Skills', date: '2008-03-15', passed: 'yes' }] },
    employment: {
      positions: [{ employer: 'Springfield High School', role: 'Biology teacher', from: '2022-09' }],
    },
    'other-states': { licenses: [] },
    character: { convicted: { answer: 'no' }, disciplined: { answer: 'no' }, pendingInvestigation: { answer: 'no' } },
    affidavit: { agree: true, signature: educator.name },
  };
}

export interface DemoEducator extends Applicant {
  name: string;
  /** Their portal User Name, and the demo evaluator's, for the lines printed. */
  userName: string;
  evaluatorUserName: string;
}

/** Seeds the demo educator's ELAR (their `sub` is their profile id) and returns what to tell the newcomer. */
export async function seedElarDemo(db: ElarDb, educator: DemoEducator): Promise<string[]> {
  // Licenses and applications name catalog codes; ELAR loads the same catalog at start.
  await loadShippedCatalog(db);
  const settings = loadApplicationSettings();
  // How an application is paid for, as ELAR registers it when it starts (idempotent).
  registerApplicationPayments(settings);
  const deps: ApplicationDeps = { db, settings };
  const today = agencyToday();

  const held = await licensesHeldBy(db, educator.sub);
  for (const license of heldLicenses(today)) {
    if (held.some((l) => l.catalogCode === license.catalogCode && l.typeCode === license.typeCode)) continue;
    await db.transaction().execute((trx) => issueLicense(trx, { personSub: educator.sub, ...license }, AUDIT_ACTOR));
  }

  const applied = new Set(
    (await listApplications(deps, educator.sub)).flatMap((a) => a.licenses.map((l) => l.catalogCode)),
  );
  for (const demo of DEMO_APPLICATIONS) {
    if (demo.licenses.some((l) => applied.has(l.catalogCode))) continue;
    await makeApplication(deps, educator, demo);
  }
  return describe(deps, educator);
}

async function makeApplication(deps: ApplicationDeps, educator: DemoEducator, demo: DemoApplication) {
  const started = await startDraft(deps, educator, demo.licenses);
  if (!started.ok) throw new Error(`demo application: ${JSON.stringify(started.errors)}`);
  const given = answers(educator);
  for (const section of demo.sections) {
    const saved = await saveSection(deps, educator, started.id, section, given[section]);
    if (!saved.ok) throw new Error(`demo application, ${section}: ${JSON.stringify(saved.errors)}`);
  }
  if (demo.outcome === 'draft') return;
  if (demo.gateItems) await reportGateItems(deps, educator.sub, started.id, GATE_ITEMS);
  await submit(deps, educator, started.id);
  if (demo.outcome === 'withdrawn') {
    await withdraw(deps, educator.sub, started.id, { reason: 'I applied for the wrong license.' });
    return;
  }
  if (demo.outcome === 'awaiting-payment') return;
  await payWithTestCard(
    deps.db,
    { kind: APPLICATION_PAYABLE, id: started.id, purpose: APPLICATION_FEE, ownerSub: educator.sub },
    { cardholderName: educator.name, cardNumber: PAYING_CARD, expiry: '12/39', cvc: '123' },
  );
}

/** What to try, from what the person now has (a run after changes describes the demo as it stands). */
async function describe(deps: ApplicationDeps, educator: DemoEducator): Promise<string[]> {
  const [licenses, applications] = await Promise.all([
    licensesHeldBy(deps.db, educator.sub),
    listApplications(deps, educator.sub),
  ]);
  const names = await catalogNames(
    deps.db,
    licenses.map((l) => l.catalogCode),
  );
  const held = licenses.map(
    (l) =>
      `${names.licenseWithType(l.catalogCode, l.typeCode)}${l.validUntil ? ` (valid until ${dateWords(l.validUntil)}: see /elar/renewals/new)` : ''}`,
  );
  const lines = [
    `ELAR (/elar): log in as ${educator.userName}. ${educator.name} holds ${held.join(' and ')}; "Apply for a New License or Advance to the next level" offers the next level of the Initial one.`,
  ];
  for (const application of [...applications].reverse()) {
    const asked = application.licenses.map((l) => l.name).join(' and ');
    const fee = application.feeCents === null ? '' : `, ${formatDollars(application.feeCents)}`;
    const tryThis =
      application.state === 'awaiting-payment'
        ? `: pay it with card ${PAYING_CARD.replace(/(\d{4})(?=\d)/g, '$1 ')}, any future expiry date and any 3-digit code`
        : application.state === 'draft'
          ? ': part filled, carry on from its task list'
          : '';
    lines.push(
      `  Application ${application.reference} (${asked}${fee}): ${application.stateName}${tryThis}. /elar/applications/${application.id}`,
    );
  }
  const ready = applications.find((a) => a.state === 'ready-for-review');
  if (ready)
    lines.push(
      `Then log in as the evaluator ${educator.evaluatorUserName} in another browser, open /elar/staff/applications, start the review of ${ready.reference}, and watch ${educator.name}'s page for it change without reloading.`,
    );
  return lines;
}

/** A calendar date moved by whole years and months (the day kept, or the month's last day). */
function shiftDate(date: string, { years = 0, months = 0 }: { years?: number; months?: number }): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + years * 12 + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}
