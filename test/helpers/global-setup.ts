import { join } from 'node:path';
import { withDatabase } from '../../src/platform/db/database-server.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/platform/db/embedded-server.ts';
import { projectRoot } from '../../src/platform/project-root.ts';
import { ADMIN_URL_VARIABLE, ensureTemplate, TEMPLATE_VARIABLE } from './test-server.ts';

let embedded: EmbeddedServer | undefined;

/**
 * Runs once before all test files: picks the server (DATABASE_URL's, else an embedded PostgreSQL 15
 * kept under .veza/test-data) and builds the migrated template every test database is cloned from.
 */
export async function globalSetup(): Promise<void> {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
  } else {
    embedded = await startEmbeddedServer({
      dataDir: process.env.VEZA_TEST_DATA_DIR || join(projectRoot, '.veza', 'test-data'),
      port: Number(process.env.VEZA_TEST_EMBEDDED_PG_PORT || 54316),
    });
    adminUrl = embedded.adminUrl;
  }
  process.env[ADMIN_URL_VARIABLE] = adminUrl;
  process.env[TEMPLATE_VARIABLE] = await ensureTemplate(adminUrl);
}

export async function globalTeardown(): Promise<void> {
  await embedded?.stop();
}
