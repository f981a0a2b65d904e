import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import postgres from 'postgres';
import { allFactories } from '../factories/index.ts';
import type { Row } from '../factories/insert-row.ts';
import { uniqueToken } from '../factories/insert-row.ts';
import { useMigratedDatabase } from '../helpers/database.ts';

// Spec §22.3 and §19.2, ADR 0013: the audit trigger records who acted, the row before and after, and no secret.

const database = useMigratedDatabase();

const factory = (table: string) => {
  const make = allFactories[table];
  if (!make) throw new Error(`no factory for ${table}`);
  return make;
};

/** The actor as the service sets it: SET LOCAL, inside the transaction. */
async function setActor(sql: postgres.Sql | postgres.TransactionSql, value: string): Promise<void> {
  await sql.unsafe(`SET LOCAL veza.actor_id = '${value.replaceAll("'", "''")}'`);
}

async function auditRows(sql: postgres.Sql, table: string, recordId: unknown) {
  return sql`
    SELECT table_name, operation, record_id, old_data, new_data, user_id, transaction_id
    FROM audit_logs WHERE table_name = ${table} AND record_id = ${recordId as string}
    ORDER BY created_at, CASE operation WHEN 'INSERT' THEN 1 WHEN 'UPDATE' THEN 2 ELSE 3 END`;
}

async function rowAsJson(sql: postgres.Sql, table: string, id: unknown): Promise<Row> {
  const [row] = await sql`SELECT to_jsonb(t) AS data FROM ${sql(table)} t WHERE id = ${id as string}`;
  if (!row) throw new Error(`no ${table} row ${String(id)}`);
  return row.data;
}

// Each audited table with a column the test changes; the factories leave every secret column NULL,
// so the logged rows must equal the stored rows exactly.
const AUDITED: { table: string; change: Row }[] = [
  { table: 'users', change: { display_name: 'Renamed Person' } },
  { table: 'user_roles', change: { role: 'producer' } },
  { table: 'two_factor_configs', change: { sms_phone: '+33600000001' } },
  { table: 'federated_identities', change: { provider_username: 'renamed_handle' } },
  { table: 'orders', change: { billing_name: 'Jane Buyer' } },
  { table: 'order_items', change: { product_name: 'Renamed product' } },
  { table: 'transactions', change: { status: 'completed' } },
  { table: 'seller_payouts', change: { status: 'processing' } },
  { table: 'seller_payout_accounts', change: { account_id: 'acct_Renamed0000000001' } },
  { table: 'discount_codes', change: { is_active: false } },
  { table: 'moderation_reports', change: { status: 'in_review' } },
  { table: 'moderation_actions', change: { reason: 'Spam, confirmed after a second review' } },
  { table: 'system_configs', change: { description: 'Largest upload accepted, in megabytes' } },
  { table: 'feature_flags', change: { rollout_percentage: 50 } },
];

describe('audited tables', () => {
  test('exactly the sensitive tables carry the audit trigger, named trg_<table>_audit', async () => {
    const { sql } = database.current;
    const triggers = await sql`
      SELECT c.relname AS table, t.tgname AS name, t.tgtype AS type FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE t.tgfoid = 'audit_record_change'::regproc ORDER BY c.relname`;
    assert.deepEqual(
      triggers.map((row) => row.table),
      AUDITED.map((entry) => entry.table).sort(),
    );
    for (const trigger of triggers) {
      assert.equal(trigger.name, `trg_${trigger.table}_audit`);
      // ROW (1) | INSERT (4) | DELETE (8) | UPDATE (16), AFTER (no BEFORE bit 2)
      assert.equal(
        trigger.type,
        1 + 4 + 8 + 16,
        `${trigger.name} is not AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW`,
      );
    }
  });

  for (const { table, change } of AUDITED) {
    test(`${table}: INSERT, UPDATE and DELETE each write one audit row with the row before and after`, async () => {
      const { sql } = database.current;
      const inserted = await factory(table)(sql);
      const afterInsert = await rowAsJson(sql, table, inserted.id);

      await sql`UPDATE ${sql(table)} SET ${sql(change as Record<string, never>)} WHERE id = ${inserted.id as string}`;
      const afterUpdate = await rowAsJson(sql, table, inserted.id);
      await sql`DELETE FROM ${sql(table)} WHERE id = ${inserted.id as string}`;

      const rows = await auditRows(sql, table, inserted.id);
      assert.deepEqual(
        rows.map((row) => [row.table_name, row.operation, row.record_id]),
        [
          [table, 'INSERT', inserted.id],
          [table, 'UPDATE', inserted.id],
          [table, 'DELETE', inserted.id],
        ],
      );
      const [insert, update, remove] = rows;
      assert.equal(insert?.old_data, null);
      assert.deepEqual(insert?.new_data, afterInsert);
      assert.deepEqual(update?.old_data, afterInsert);
      assert.deepEqual(update?.new_data, afterUpdate);
      for (const [column, value] of Object.entries(change)) {
        assert.notDeepEqual(update?.old_data[column], value, `${table}.${column} already held the new value`);
        assert.deepEqual(update?.new_data[column], value);
      }
      assert.deepEqual(remove?.old_data, afterUpdate);
      assert.equal(remove?.new_data, null);
    });
  }

  test('a table that is not audited (tracks) writes nothing to audit_logs', async () => {
    const { sql } = database.current;
    const track = await factory('tracks')(sql);
    await sql`UPDATE tracks SET title = 'Another title' WHERE id = ${track.id as string}`;
    await sql`DELETE FROM tracks WHERE id = ${track.id as string}`;
    const [logged] = await sql`
      SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'tracks' OR record_id = ${track.id as string}`;
    assert.equal(logged?.n, 0);
  });
});

describe('consent (§19.2)', () => {
  test('giving and withdrawing marketing consent are audited with the old and the new state', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql);
    const givenAt = '2026-03-04T10:00:00.000Z';
    await sql`UPDATE users SET marketing_consent = true, marketing_consent_at = ${givenAt} WHERE id = ${user.id as string}`;
    await sql`UPDATE users SET marketing_consent = false, marketing_consent_at = NULL WHERE id = ${user.id as string}`;

    const updates = (await auditRows(sql, 'users', user.id)).filter((row) => row.operation === 'UPDATE');
    const instant = (value: string | null) => (value === null ? null : new Date(value).toISOString());
    const states = updates.map((row) => [
      [row.old_data.marketing_consent, instant(row.old_data.marketing_consent_at)],
      [row.new_data.marketing_consent, instant(row.new_data.marketing_consent_at)],
    ]);
    assert.deepEqual(states, [
      [
        [false, null],
        [true, givenAt],
      ],
      [
        [true, givenAt],
        [false, null],
      ],
    ]);
  });

  test('the processing consent is traced separately from the marketing one', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql);
    await sql`UPDATE users SET data_processing_consent = true, data_processing_consent_at = NOW() WHERE id = ${user.id as string}`;
    const [update] = (await auditRows(sql, 'users', user.id)).filter((row) => row.operation === 'UPDATE');
    assert.equal(update?.old_data.data_processing_consent, false);
    assert.equal(update?.new_data.data_processing_consent, true);
    assert.equal(update?.old_data.marketing_consent, update?.new_data.marketing_consent);
    assert.equal(typeof update?.new_data.data_processing_consent_at, 'string');
  });
});

describe('acting user (veza.actor_id)', () => {
  test('SET LOCAL veza.actor_id is recorded as user_id; outside that transaction user_id is NULL', async () => {
    const { sql } = database.current;
    const admin = await factory('users')(sql, { role: 'admin' });
    const flag = await factory('feature_flags')(sql);
    const connection = await sql.reserve();
    try {
      await connection`BEGIN`;
      await setActor(connection, admin.id as string);
      await connection`UPDATE feature_flags SET is_enabled = false WHERE id = ${flag.id as string}`;
      await connection`COMMIT`;
      // Same session, after the transaction: the setting is gone.
      await connection`UPDATE feature_flags SET rollout_percentage = 90 WHERE id = ${flag.id as string}`;
    } finally {
      connection.release();
    }
    const rows = await auditRows(sql, 'feature_flags', flag.id);
    assert.deepEqual(
      rows.map((row) => [row.operation, row.user_id]),
      [
        ['INSERT', null],
        ['UPDATE', admin.id],
        ['UPDATE', null],
      ],
    );
  });

  test('the record is the row changed, the actor is who changed it: not the row owner', async () => {
    const { sql } = database.current;
    const moderator = await factory('users')(sql, { role: 'moderator' });
    const order = await factory('orders')(sql);
    await sql.begin(async (tx) => {
      await setActor(tx, moderator.id as string);
      await tx`UPDATE orders SET status = 'cancelled', cancelled_at = NOW() WHERE id = ${order.id as string}`;
    });
    const [update] = (await auditRows(sql, 'orders', order.id)).filter((row) => row.operation === 'UPDATE');
    assert.equal(update?.user_id, moderator.id);
    assert.notEqual(update?.user_id, order.user_id);
    assert.equal(update?.record_id, order.id);
  });

  for (const [label, value] of [
    ['an empty string', ''],
    ['text that is not a UUID', 'not-a-uuid'],
    ['an SQL fragment', "'; DROP TABLE users; --"],
    ['a UUID with surrounding spaces', ` ${randomUUID()} `],
    ['a UUID of no user', randomUUID()],
  ]) {
    test(`an actor id that is ${label} does not break the write and is stored as NULL`, async () => {
      const { sql } = database.current;
      const config = await factory('system_configs')(sql);
      await sql.begin(async (tx) => {
        await setActor(tx, value ?? '');
        await tx`UPDATE system_configs SET value = '{"max_file_size_mb": 800}' WHERE id = ${config.id as string}`;
      });
      const [stored] = await sql`SELECT value FROM system_configs WHERE id = ${config.id as string}`;
      assert.deepEqual(stored?.value, { max_file_size_mb: 800 });
      const [update] = (await auditRows(sql, 'system_configs', config.id)).filter((row) => row.operation === 'UPDATE');
      assert.equal(update?.user_id, null);
    });
  }

  test('a user hard-deleting their own account is audited with a NULL actor, cascades included', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql);
    const role = await factory('user_roles')(sql, { user_id: user.id });
    await sql.begin(async (tx) => {
      await setActor(tx, user.id as string);
      await tx`UPDATE users SET display_name = 'Leaving soon' WHERE id = ${user.id as string}`;
      await tx`DELETE FROM users WHERE id = ${user.id as string}`;
    });
    const userRows = await auditRows(sql, 'users', user.id);
    assert.deepEqual(
      userRows.map((row) => [row.operation, row.user_id]),
      // The UPDATE was made by the user; the foreign key nulls it once the account is gone (ON DELETE SET NULL).
      [
        ['INSERT', null],
        ['UPDATE', null],
        ['DELETE', null],
      ],
    );
    const roleRows = await auditRows(sql, 'user_roles', role.id);
    assert.deepEqual(
      roleRows.map((row) => [row.operation, row.user_id]),
      [
        ['INSERT', null],
        ['DELETE', null],
      ],
    );
  });

  test('an actor deleted by a concurrent transaction does not make the audited write fail', async () => {
    const { sql, url } = database.current;
    const actor = await factory('users')(sql);
    const flag = await factory('feature_flags')(sql);
    const deleter = postgres(url, { max: 1, onnotice: () => {} });
    const writer = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const deleting = await deleter.reserve();
      await deleting`BEGIN`;
      await deleting`DELETE FROM users WHERE id = ${actor.id as string}`;

      // The actor's row is deleted but not yet committed: the writer's trigger must wait for that transaction.
      const write = writer.begin(async (tx) => {
        await setActor(tx, actor.id as string);
        await tx`UPDATE feature_flags SET is_enabled = false WHERE id = ${flag.id as string}`;
      });
      let blocked = false;
      for (let attempt = 0; attempt < 100 && !blocked; attempt += 1) {
        const [waiting] = await sql`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE feature_flags%'`;
        blocked = (waiting?.n ?? 0) > 0;
        if (!blocked) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(blocked, 'the audited write never waited for the transaction deleting its actor');

      await deleting`COMMIT`;
      deleting.release();
      await write;
    } finally {
      await Promise.all([deleter.end(), writer.end()]);
    }
    const [update] = (await auditRows(sql, 'feature_flags', flag.id)).filter((row) => row.operation === 'UPDATE');
    assert.equal(update?.user_id, null);
    const [flagNow] = await sql`SELECT is_enabled FROM feature_flags WHERE id = ${flag.id as string}`;
    assert.equal(flagNow?.is_enabled, false);
  });
});

describe('what an UPDATE logs', () => {
  test('an UPDATE that changes nothing, or only updated_at, writes no audit row', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql);
    const flag = await factory('feature_flags')(sql);
    await sql`UPDATE users SET email = email WHERE id = ${user.id as string}`;
    await sql`UPDATE feature_flags SET updated_at = NOW() + INTERVAL '1 minute' WHERE id = ${flag.id as string}`;
    assert.deepEqual(
      (await auditRows(sql, 'users', user.id)).map((row) => row.operation),
      ['INSERT'],
    );
    assert.deepEqual(
      (await auditRows(sql, 'feature_flags', flag.id)).map((row) => row.operation),
      ['INSERT'],
    );
  });

  test('login bookkeeping alone is not audited (login_attempts traces it); with another change it is', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql);
    await sql`
      UPDATE users SET last_login_at = NOW(), last_login_ip = '192.0.2.7', login_count = login_count + 1
      WHERE id = ${user.id as string}`;
    await sql`
      UPDATE users SET last_login_at = NOW(), login_count = login_count + 1, is_verified = true
      WHERE id = ${user.id as string}`;
    const rows = await auditRows(sql, 'users', user.id);
    assert.deepEqual(
      rows.map((row) => row.operation),
      ['INSERT', 'UPDATE'],
    );
    assert.equal(rows[1]?.old_data.login_count, 1);
    assert.equal(rows[1]?.new_data.login_count, 2);
    assert.equal(rows[1]?.new_data.is_verified, true);
  });

  test('a change of a secret alone is audited, marked changed without its value', async () => {
    const { sql } = database.current;
    const user = await factory('users')(sql, { password_hash: `$2b$12$${uniqueToken()}oldhashvalue` });
    await sql`UPDATE users SET password_hash = ${`$2b$12$${uniqueToken()}newhashvalue`} WHERE id = ${user.id as string}`;
    await sql`UPDATE users SET password_hash = NULL WHERE id = ${user.id as string}`;
    const updates = (await auditRows(sql, 'users', user.id)).filter((row) => row.operation === 'UPDATE');
    assert.deepEqual(
      updates.map((row) => [row.old_data.password_hash, row.new_data.password_hash]),
      [
        ['[redacted]', '[redacted:changed]'],
        ['[redacted]', null],
      ],
    );
  });
});

describe('secrets (ADR 0013)', () => {
  test('no secret value inserted or updated in an audited table reaches audit_logs', async () => {
    const { sql } = database.current;
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const secrets = {
      passwordHash: `$2b$12$${sha256('first password').slice(0, 53)}`,
      newPasswordHash: `$2b$12$${sha256('second password').slice(0, 53)}`,
      totpSecret: `JBSWY3DP${uniqueToken().toUpperCase()}`,
      rotatedTotpSecret: `KRSXG5CT${uniqueToken().toUpperCase()}`,
      backupCodeHash: sha256(`backup-code-${uniqueToken()}`),
      otherBackupCodeHash: sha256(`backup-code-${uniqueToken()}`),
      accessToken: `gho_${uniqueToken()}accesstoken`,
      refreshToken: `ghr_${uniqueToken()}refreshtoken`,
      newAccessToken: `gho_${uniqueToken()}renewedaccess`,
      nestedProviderToken: `ya29.${uniqueToken()}nested`,
      licenseKey: `LIC-${uniqueToken()}-KEY`,
      smtpPassword: `smtp-${uniqueToken()}-password`,
    };

    const user = await factory('users')(sql, { password_hash: secrets.passwordHash });
    await sql`
      UPDATE users SET password_hash = ${secrets.newPasswordHash}, last_password_change_at = NOW(),
                       marketing_consent = true, marketing_consent_at = NOW()
      WHERE id = ${user.id as string}`;
    const twoFactor = await factory('two_factor_configs')(sql, {
      user_id: user.id,
      totp_secret: secrets.totpSecret,
      totp_enabled: true,
      totp_enabled_at: new Date(),
      backup_codes: sql.json([secrets.backupCodeHash, secrets.otherBackupCodeHash]),
    });
    await sql`UPDATE two_factor_configs SET totp_secret = ${secrets.rotatedTotpSecret} WHERE id = ${twoFactor.id as string}`;
    const identity = await factory('federated_identities')(sql, {
      user_id: user.id,
      access_token: secrets.accessToken,
      refresh_token: secrets.refreshToken,
      provider_profile_data: sql.json({ login: 'octocat', oauth: { accessToken: secrets.nestedProviderToken } }),
    });
    await sql`UPDATE federated_identities SET access_token = ${secrets.newAccessToken} WHERE id = ${identity.id as string}`;
    const item = await factory('order_items')(sql, { license_key: secrets.licenseKey });
    const config = await factory('system_configs')(sql, {
      value: sql.json({ smtp: { host: 'smtp.example.test', password: secrets.smtpPassword } }),
    });
    await sql`UPDATE system_configs SET is_public = true WHERE id = ${config.id as string}`;
    // Deleting the account cascades to its second factor and identity: their DELETE rows carry old_data.
    await sql`DELETE FROM users WHERE id = ${user.id as string}`;

    const logged = await sql`SELECT table_name, record_id, operation, old_data, new_data FROM audit_logs`;
    for (const [name, secret] of Object.entries(secrets)) {
      const leaks = logged.filter((row) =>
        `${JSON.stringify(row.old_data)} ${JSON.stringify(row.new_data)}`.includes(secret),
      );
      assert.deepEqual(
        leaks.map((row) => `${row.table_name} ${row.operation}`),
        [],
        `${name} leaked into audit_logs`,
      );
    }

    // The rows are there, with the keys kept and their values redacted.
    const find = (table: string, id: unknown, operation: string) => {
      const row = logged.find((r) => r.table_name === table && r.record_id === id && r.operation === operation);
      if (!row) throw new Error(`no ${operation} audit row for ${table}`);
      return row;
    };
    assert.equal(find('users', user.id, 'INSERT').new_data.password_hash, '[redacted]');
    assert.equal(find('users', user.id, 'UPDATE').new_data.password_hash, '[redacted:changed]');
    assert.equal(find('users', user.id, 'DELETE').old_data.password_hash, '[redacted]');
    const twoFactorInsert = find('two_factor_configs', twoFactor.id, 'INSERT').new_data;
    assert.deepEqual([twoFactorInsert.totp_secret, twoFactorInsert.backup_codes], ['[redacted]', '[redacted]']);
    assert.equal(find('two_factor_configs', twoFactor.id, 'UPDATE').new_data.totp_secret, '[redacted:changed]');
    assert.equal(find('two_factor_configs', twoFactor.id, 'DELETE').old_data.backup_codes, '[redacted]');
    const identityUpdate = find('federated_identities', identity.id, 'UPDATE');
    assert.deepEqual(
      [identityUpdate.new_data.access_token, identityUpdate.new_data.refresh_token],
      ['[redacted:changed]', '[redacted]'],
    );
    assert.deepEqual(identityUpdate.new_data.provider_profile_data, {
      login: 'octocat',
      oauth: { accessToken: '[redacted]' },
    });
    assert.equal(find('federated_identities', identity.id, 'DELETE').old_data.refresh_token, '[redacted]');
    assert.equal(find('order_items', item.id, 'INSERT').new_data.license_key, '[redacted]');
    assert.deepEqual(find('system_configs', config.id, 'UPDATE').old_data.value, {
      smtp: { host: 'smtp.example.test', password: '[redacted]' },
    });
  });

  // Columns of audited tables whose names look sensitive but hold no secret, and why.
  const NOT_SECRET: Record<string, string> = {
    'users.token_version': 'a counter; its increment (all sessions revoked) must stay visible',
    'users.last_password_change_at': 'a date',
    'federated_identities.token_expires_at': 'a date',
    'two_factor_configs.totp_enabled': 'a flag; enabling or disabling 2FA must stay visible',
    'two_factor_configs.totp_enabled_at': 'a date',
    'two_factor_configs.totp_last_used_step': 'a 30-second time step number (replay guard), not a code',
    'two_factor_configs.mfa_tokens_spent_through': 'a date up to which second-step tokens are spent',
    'system_configs.key': 'the setting name',
    'feature_flags.key': 'the flag name',
    'discount_codes.code': 'a promotional code given out to customers',
  };

  test('every sensitive-looking column of an audited table is redacted or listed as not secret', async () => {
    const { sql } = database.current;
    const columns = await sql`
      SELECT c.relname || '.' || a.attname AS column,
             audit_redact(jsonb_build_object(a.attname, 'value')) ->> a.attname = '[redacted]' AS redacted
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE t.tgfoid = 'audit_record_change'::regproc
        AND a.attname ~ '(pass|secret|token|hash|key|code|salt|credential|crypt|otp|pin)'
      ORDER BY 1`;
    assert.ok(columns.length >= 14, `found only ${columns.length} sensitive-looking columns`);
    assert.deepEqual(
      columns.filter((row) => row.redacted === row.column in NOT_SECRET).map((row) => row.column),
      [],
      'a column is neither redacted nor listed in NOT_SECRET, or is listed but redacted',
    );
  });

  test('audit_redact walks nested objects and arrays, keeps keys and NULLs, and marks changed secrets', async () => {
    const { sql } = database.current;
    const data = {
      name: 'kept',
      token_version: 3,
      password_hash: null,
      api: { clientSecret: 's1', list: [{ apiKey: 'k1', n: 1 }, 'plain'] },
      backup_codes: ['c1', 'c2'],
    };
    const previous = { ...data, api: { clientSecret: 's0', list: [{ apiKey: 'k1', n: 1 }, 'plain'] } };
    const [result] = await sql`
      SELECT audit_redact(${sql.json(data)}) AS alone, audit_redact(${sql.json(data)}, ${sql.json(previous)}) AS compared`;
    assert.deepEqual(result?.alone, {
      name: 'kept',
      token_version: 3,
      password_hash: null,
      api: { clientSecret: '[redacted]', list: [{ apiKey: '[redacted]', n: 1 }, 'plain'] },
      backup_codes: '[redacted]',
    });
    assert.deepEqual(result?.compared, {
      name: 'kept',
      token_version: 3,
      password_hash: null,
      api: { clientSecret: '[redacted:changed]', list: [{ apiKey: '[redacted]', n: 1 }, 'plain'] },
      backup_codes: '[redacted]',
    });
  });
});
