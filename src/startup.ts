import { migrate, type Db } from './database.ts';
import { seedApplicationCatalog } from './directory/service.ts';

/** Schema and reference data, on every start: a fresh DATA_DIR is an empty but working system. */
export async function prepareDatabase(db: Db): Promise<void> {
  await migrate(db);
  await seedApplicationCatalog(db);
}
