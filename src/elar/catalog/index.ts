/**
 * The license catalog: categories, license types, licenses and endorsements, requirement
 * templates, and the application fee. What other ELAR parts (and the CLI, through
 * src/elar/index.ts) may use.
 */
export {
  findCategory,
  findLicenseType,
  findOffering,
  listCategories,
  nextTypeUp,
  offeringsInCategory,
  offeringTitle,
  requirementTemplate,
  type LicenseCategory,
  type LicenseOffering,
  type LicenseType,
  type RequirementItem,
  type RequirementRoute,
  type RequirementTemplate,
} from './service.ts';
export {
  describeChanges,
  importCatalog,
  loadShippedCatalog,
  SHIPPED_CATALOG_FILES,
  type CatalogImportReport,
  type Changes,
} from './import.ts';
export { importCatalogFile } from './operator-import.ts';
export { CatalogFileError, type OfferingKind, type Rejection } from './catalog-file.ts';
export { APPLICATION_FEES, applicationFeeCents, dollars, type ApplicationFees } from './fees.ts';
export { catalogNames, type CatalogNames } from './names.ts';
export { registerCatalogRoutes } from './routes.tsx';
export type { CatalogTables } from './schema.ts';
