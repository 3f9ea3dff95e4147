import type { Kysely } from 'kysely';
import type { ElarDatabase } from '../schema.ts';
import { offeringTitle } from './service.ts';

/**
 * How licenses are named on a page ("Biology (8-12), Initial license"), for every code a
 * page shows in one read: a page listing fifty applications asks once, not fifty times.
 */
export interface CatalogNames {
  /** "Biology (8-12)", "Sheltered English Immersion (SEI) Teacher". */
  license(code: string): string;
  /** "Initial", "Professional". */
  type(code: string): string;
  /** "Biology (8-12), Initial license"; an endorsement is named by itself. */
  licenseWithType(code: string, type: string): string;
}

export async function catalogNames(db: Kysely<ElarDatabase>, codes: readonly string[]): Promise<CatalogNames> {
  const wanted = [...new Set(codes)];
  const [offerings, types] = await Promise.all([
    wanted.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('license_offering')
          .select(['code', 'kind', 'name', 'grade_level'])
          .where('code', 'in', wanted)
          .execute(),
    db.selectFrom('license_type').select(['code', 'name']).execute(),
  ]);
  const offeringByCode = new Map(offerings.map((o) => [o.code, o]));
  const typeByCode = new Map(types.map((t) => [t.code, t.name]));
  const license = (code: string) => {
    const offering = offeringByCode.get(code);
    // A code the catalog never had (data older than the catalog) is all there is to show.
    if (!offering) return code;
    return offeringTitle({ field: offering.name, gradeLevel: offering.grade_level });
  };
  // Applications started before types were catalog codes hold a word ("initial", "military-spouse").
  const type = (code: string) => typeByCode.get(code) ?? sentenceCase(code.replace(/-/g, ' '));
  return {
    license,
    type,
    licenseWithType: (code, typeCode) =>
      offeringByCode.get(code)?.kind === 'endorsement'
        ? `${license(code)} endorsement`
        : `${license(code)}, ${type(typeCode)} license`,
  };
}

const sentenceCase = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);
