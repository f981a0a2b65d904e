// Shared by the statistics export, dashboard and event tests: accounts, running the report jobs on the test app's
// storage, and reading a report's file back.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestApp } from '../../../test/helpers/app.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { as, person, track, type Person } from '../streaming/playlists.test-support.ts';
import { analyticsReportsExpire, analyticsReportsGenerate } from './reports.jobs.ts';

export { as, person, track, type Person };

/** testConfig's VEZA_DATA_DIR: the jobs write where the app's files routes read. */
export const TEST_DATA_DIR = join(tmpdir(), 'veza-test-data');

export async function administrator(testApp: TestApp): Promise<Person> {
  const who = await person(testApp);
  await testApp.database.sql`UPDATE users SET role = 'admin' WHERE id = ${who.id}`;
  return who;
}

export const generateReports = (testApp: TestApp, now = new Date()) =>
  runJob(analyticsReportsGenerate, { db: testApp.pool.db, dataDir: TEST_DATA_DIR, triggeredBy: 'manual', now });

export const expireReports = (testApp: TestApp, now: Date) =>
  runJob(analyticsReportsExpire, { db: testApp.pool.db, dataDir: TEST_DATA_DIR, triggeredBy: 'manual', now });

export interface ReportView {
  id: string;
  status: string;
  download_url: string | null;
  expires_at: string | null;
  generated_at: string | null;
  title: string;
}
