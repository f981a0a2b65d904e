// Shared by the gear tests: people with tokens, files, items, warranties and maintenance entries made through the API.
import assert from 'node:assert/strict';
import type { TestApp } from '../../../test/helpers/app.ts';
import { allFactories } from '../../../test/factories/index.ts';
import { as, person, type Call, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, type Call, type Person };

/** Migration 0049's "Microphones" and "Synthesizers". */
export const MICROPHONES = 'ec000000-0000-4000-8000-000000000010';
export const SYNTHESIZERS = 'ec000000-0000-4000-8000-000000000007';

export const CLEAN = {
  virus_scanned: true,
  virus_scan_result: 'clean',
  is_processed: true,
  metadata: { processing: { status: 'processed', steps: {}, attempts: 1 } },
};

export async function file(testApp: TestApp, owner: Person, overrides: Record<string, unknown> = {}): Promise<string> {
  const row = await allFactories.files!(testApp.database.sql, { user_id: owner.id, ...CLEAN, ...overrides });
  return String(row.id);
}

export async function admin(testApp: TestApp): Promise<Person> {
  const who = await person(testApp);
  await testApp.database.sql`UPDATE users SET role = 'admin' WHERE id = ${who.id}`;
  return who;
}

/** An item made through the API; answers its id. */
export async function item(testApp: TestApp, owner: Person, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await as(testApp, owner)('POST', '/v1/me/gear', {
    name: 'Vocal mic',
    category_id: MICROPHONES,
    brand: 'Neumann',
    model: 'U 87 Ai',
    serial_number: 'SN-0001',
    purchase_date: '2024-05-01',
    purchase_price: '3199.00',
    currency: 'EUR',
    notes: 'Keep away from humidity',
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

export async function warranty(testApp: TestApp, owner: Person, itemId: string, body: Record<string, unknown> = {}) {
  const answer = await as(testApp, owner)('POST', `/v1/me/gear/${itemId}/warranties`, {
    provider: 'Neumann',
    starts_on: '2024-05-01',
    ends_on: '2027-05-01',
    ...body,
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

export async function maintenanceEntry(testApp: TestApp, owner: Person, itemId: string) {
  const answer = await as(testApp, owner)('POST', `/v1/me/gear/${itemId}/maintenance`, {
    maintenance_type: 'cleaning',
    performed_on: '2025-01-10',
    description: 'Grille cleaned',
    cost: '40',
    currency: 'EUR',
  });
  assert.equal(answer.statusCode, 201, answer.body);
  return answer.json<{ id: string }>().id;
}

/** The item, its warranties and log as stored, to compare before and after a refused request. */
export async function gearState(testApp: TestApp, itemId: string) {
  const { sql } = testApp.database;
  const [state] = await sql`
    SELECT (SELECT row_to_json(e) FROM equipment e WHERE id = ${itemId}) AS item,
           (SELECT json_agg(w ORDER BY id) FROM equipment_warranties w WHERE equipment_id = ${itemId}) AS warranties,
           (SELECT json_agg(m ORDER BY id) FROM equipment_maintenance m WHERE equipment_id = ${itemId}) AS log`;
  return state;
}
