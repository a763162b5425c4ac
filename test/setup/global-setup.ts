import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/config/typeorm.data-source';

/**
 * The end-to-end suites run against a database of their own (created by `npm test`'s
 * ensure-services step); bring its schema up to date once per run.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/synckairos_test';
  const ds = new DataSource(buildDataSourceOptions(url));
  await ds.initialize();
  try {
    await ds.runMigrations();
  } finally {
    await ds.destroy();
  }
}
