// Shared by the search tests: sources made with the factories (the triggers index them), and searching as someone.
import assert from 'node:assert/strict';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { as, person, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Person };

export interface Found {
  type: string;
  id: string;
  title: string;
  subtitle: string | null;
  facets: Record<string, unknown>;
}

/** The results of a search (status 200 asserted), best first. */
export async function search(testApp: TestApp, who: Person | null, q: string, extra = ''): Promise<Found[]> {
  const answer = await as(testApp, who)('GET', `/v1/search?q=${encodeURIComponent(q)}${extra}`);
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<{ items: Found[] }>().items;
}

export async function ids(testApp: TestApp, who: Person | null, q: string, extra = ''): Promise<string[]> {
  return (await search(testApp, who, q, extra)).map((hit) => hit.id);
}

/** Inserts a row with the table's factory and answers its id. */
export async function row(testApp: TestApp, table: string, values: Record<string, unknown> = {}): Promise<string> {
  const inserted = await allFactories[table]!(testApp.database.sql, values);
  return String(inserted.id);
}

/** An account (with a token) whose display name is `name`. */
export async function named(testApp: TestApp, name: string): Promise<Person> {
  const who = await person(testApp);
  await testApp.database.sql`UPDATE users SET display_name = ${name} WHERE id = ${who.id}`;
  return who;
}
