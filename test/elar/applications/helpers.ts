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
