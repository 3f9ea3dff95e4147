import type { FieldErrors } from '../../../platform/views/form.tsx';
import { findOffering, requirementTemplate } from '../../catalog/index.ts';
import type { ElarDb } from '../../schema.ts';
import { licenseTitle, offeringName } from './license-names.ts';

/**
 * Whether the licenses a person chose are ones the Department issues: each license is in the
 * catalog and still offered, is issued as the chosen type, and the chosen route is one of that
 * type's routes in the requirement template. The catalog decides; nothing is taken on trust
 * from the form. Errors are keyed `<index>.<field>`, like the shape check's.
 */
export async function checkAgainstCatalog(
  db: ElarDb,
  licenses: readonly { catalogCode: string; typeCode: string; route: string }[],
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  for (const [i, license] of licenses.entries()) {
    const offering = await findOffering(db, license.catalogCode);
    if (!offering) {
      errors[`${i}.catalogCode`] = 'Choose a license from the list: we could not find the one chosen';
      continue;
    }
    if (!offering.active) {
      errors[`${i}.catalogCode`] = `${offeringName(offering)} is no longer offered: choose another license`;
      continue;
    }
    const type = offering.types.find((t) => t.code === license.typeCode);
    if (!type) {
      errors[`${i}.typeCode`] =
        `${offeringName(offering)} is not issued as that type of license: choose one of the types listed`;
      continue;
    }
    const template = await requirementTemplate(db, offering.code, type.code);
    if (!template?.routes.some((route) => route.code === license.route)) {
      const name = licenseTitle({ ...offering, typeName: type.name });
      errors[`${i}.route`] = `Choose one of the routes to ${name} listed on the page`;
    }
  }
  return errors;
}
