import { migrate, openDatabase } from '../../../src/database.ts';
import { elarTables } from '../../../src/elar/index.ts';
import { loadShippedCatalog } from '../../../src/elar/catalog/index.ts';
import type { Applicant, ApplicationDeps } from '../../../src/elar/applications/index.ts';
import { DEFAULT_APPLICATION_SETTINGS } from '../../../src/elar/applications/index.ts';
import { saveLicenses, saveSection, startDraft } from '../../../src/elar/applications/service.ts';
import { throwawayDatabase } from '../../helpers/throwaway-database.ts';

/**
 * A migrated, empty database for the application service, seen as ELAR sees it (its schema
 * bound): in-memory PGlite, or a throwaway database on DATABASE_URL's server, whose URL a
 * test may open a second pool on (two instances).
 */
export async function applicationsDatabase(prefix: string) {
  const serverUrl = process.env.DATABASE_URL;
  const throwaway = serverUrl ? await throwawayDatabase(serverUrl, prefix) : undefined;
  const database = await openDatabase({ databaseUrl: throwaway?.url, dataDir: 'memory://', poolSize: 8 });
  await migrate(database.db);
  const db = elarTables(database.db);
  // Licenses are checked against the catalog, as ELAR loads it at start.
  await loadShippedCatalog(db);
  const deps: ApplicationDeps = { db, settings: DEFAULT_APPLICATION_SETTINGS };
  return {
    db,
    deps,
    kind: database.kind,
    url: throwaway?.url,
    close: async () => {
      await database.close();
      await throwaway?.drop();
    },
  };
}

let people = 0;
/** A new person, as ELAR's claims describe them. */
export function applicant(email: string | null = null): Applicant {
  people++;
  return {
    sub: `sub-${process.pid}-${people}-${Math.random().toString(36).slice(2)}`,
    mepid: String(10000000 + people),
    email,
  };
}

/** Licenses as the catalog names them: the license, its type and a route of the type's requirement template. */
export const BIOLOGY = { catalogCode: 'TCH-BIO-8-12', typeCode: 'INI', route: 'PREP' };
export const CHEMISTRY = { catalogCode: 'TCH-CHEM-8-12', typeCode: 'INI', route: 'PREP' };

/**
 * Teacher licenses of the shipped catalog issued as Initial through an approved preparation
 * program: a test that needs one person to hold several open applications takes a different
 * one for each (one open application per license).
 */
export const INITIAL_TEACHER_LICENSES = [
  'TCH-BIO-8-12',
  'TCH-CHEM-8-12',
  'TCH-PHYS-8-12',
  'TCH-ESS-5-8',
  'TCH-ESS-8-12',
  'TCH-GSCI-1-6',
  'TCH-GSCI-5-8',
  'TCH-ENG-5-12',
  'TCH-ELEM-1-6',
  'TCH-ECE-PREK-2',
  'TCH-MATH-1-6',
  'TCH-MATH-5-8',
  'TCH-MATH-8-12',
  'TCH-MOD-PREK-8',
  'TCH-MOD-5-12',
  'TCH-SEV-ALL',
  'TCH-MUS-ALL',
  'TCH-ESL-PREK-6',
  'TCH-ESL-5-12',
  'TCH-HIST-1-6',
  'TCH-HIST-5-12',
  'TCH-POL-5-12',
  'TCH-PE-PREK-8',
  'TCH-PE-5-12',
  'TCH-ART-PREK-8',
  'TCH-ART-5-12',
  'TCH-THEA-ALL',
  'TCH-DANCE-ALL',
  'TCH-HEALTH-ALL',
  'TCH-SPAN-5-12',
  'TCH-FREN-5-12',
  'TCH-CS-5-12',
  'TCH-TECH-5-12',
  'TCH-HUM-5-8',
  'TCH-LIB-ALL',
].map((catalogCode) => ({ catalogCode, typeCode: 'INI', route: 'PREP' }));

/** Every section answered well, so that only what a test changes decides. */
export const COMPLETE_ANSWERS = {
  'personal-details': {
    email: '',
    phone: '617 555 0123',
    addressLine1: '1 Main Street',
    city: 'Malden',
    state: 'MA',
    postalCode: '02148',
  },
  education: { degrees: [{ level: 'bachelor', subject: 'Biology', institution: 'UMass Boston', awarded: '2018-05' }] },
  tests: { tests: [{ name: 'Communication and Literacy Skills', date: '2018-03-10', passed: 'yes' }] },
  employment: { positions: [] },
  'other-states': { licenses: [] },
  character: { convicted: { answer: 'no' }, disciplined: { answer: 'no' }, pendingInvestigation: { answer: 'no' } },
  affidavit: { agree: true, signature: 'Ella Elar' },
} as const;

/** A draft with every section complete, ready to submit. */
export async function completeDraft(deps: ApplicationDeps, person: Applicant, licenses: unknown[] = [BIOLOGY]) {
  const started = await startDraft(deps, person, licenses);
  if (!started.ok) throw new Error(`could not start: ${JSON.stringify(started.errors)}`);
  for (const [section, answers] of Object.entries(COMPLETE_ANSWERS)) {
    const saved = await saveSection(deps, person, started.id, section as keyof typeof COMPLETE_ANSWERS, answers);
    if (!saved.ok) throw new Error(`${section}: ${JSON.stringify(saved.errors)}`);
  }
  return started;
}

export { saveLicenses };

/** The code of what a promise was refused with. */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; statusCode: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; statusCode: number };
  }
  throw new Error('expected a refusal, and it went through');
}
