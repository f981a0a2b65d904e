import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { tablesByDomain } from './table-ownership.ts';

const database = useMigratedDatabase();

test('every table of the schema is owned by exactly one domain, and every owned table exists', async () => {
  const { sql } = database.current;
  const rows = await sql`
    SELECT relname FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
    ORDER BY relname`;
  const owned = Object.values(tablesByDomain).flat();
  assert.equal(new Set(owned).size, owned.length, 'a table is claimed by two domains');
  assert.deepEqual(
    [...owned].sort(),
    rows.map((row) => row.relname),
  );
});

test('about 85 tables (85) in 13 modules plus notifications, as spec §1.2 plans', () => {
  const counts = Object.fromEntries(Object.entries(tablesByDomain).map(([domain, tables]) => [domain, tables.length]));
  assert.deepEqual(counts, {
    auth: 8,
    profiles: 5,
    files: 4,
    streaming: 13, // + play_count_windows (0029, ADR 0045), playlist_collaborators (0031, ADR 0049), subsonic_credentials (0033, ADR 0051)
    chat: 8, // + chat_events (0035, ADR 0054)
    social: 12, // + follow_requests (0039, ADR 0060), feed_entries (0041, ADR 0064)
    marketplace: 14, // + payment_webhook_events (0047, ADR 0073), seller_payout_accounts (0052, ADR 0084)
    education: 7,
    hardware: 5, // + equipment_warranty_reminders (0050, ADR 0079); the code lives in gear/
    cloud: 3,
    search: 3, // + search_terms (0059, ADR 0100)
    analytics: 6, // + entity_analytics_breakdowns (0054, ADR 0093)
    admin: 7,
    notifications: 3, // + notification_actors, notification_preferences (0043, ADR 0066)
  });
});
