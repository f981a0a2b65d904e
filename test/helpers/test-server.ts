import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { withDatabase } from '../../src/platform/db/database-server.ts';
import { listMigrationFiles, MIGRATIONS_DIR, Migrator } from '../../src/platform/db/migrations.ts';

/** Variables through which the global setup tells every test process where its server and template are. */
export const ADMIN_URL_VARIABLE = 'VEZA_TEST_ADMIN_URL';
export const TEMPLATE_VARIABLE = 'VEZA_TEST_TEMPLATE';

/** The template's name changes with the migrations' content, so an edited migration never reuses a stale template. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of listMigrationFiles()) {
    for (const direction of ['up', 'down']) {
      hash.update(readFileSync(join(MIGRATIONS_DIR, `${file.name}.${direction}.sql`)));
    }
  }
  return `veza_template_${hash.digest('hex').slice(0, 12)}`;
}

function quoted(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function quotedLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Creates the migrated template database unless an identical one exists. Serialised across test runs. */
export async function ensureTemplate(adminUrl: string): Promise<string> {
  const name = templateName();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`SELECT pg_advisory_lock(hashtext('veza-test-template'))`;
    const [existing] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name} AND datistemplate`;
    if (existing) return name;

    const building = `${name}_building`;
    await admin.unsafe(`DROP DATABASE IF EXISTS ${quoted(building)} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${quoted(building)}`);
    await new Migrator(withDatabase(adminUrl, building)).migrate();
    await admin.unsafe(`ALTER DATABASE ${quoted(building)} RENAME TO ${quoted(name)}`);
    await admin.unsafe(`ALTER DATABASE ${quoted(name)} WITH IS_TEMPLATE true`);
    await admin.unsafe(
      `COMMENT ON DATABASE ${quoted(name)} IS ${quotedLiteral(`veza test template built ${new Date().toISOString()}`)}`,
    );

    // Templates of other migration sets only take disk space, but another checkout sharing this
    // server (a second developer, a CI run) may be using one right now: only day-old ones go.
    const stale = await admin`
      SELECT d.datname, shobj_description(d.oid, 'pg_database') AS comment
      FROM pg_database d WHERE d.datname LIKE 'veza\_template\_%' AND d.datname <> ${name}`;
    for (const row of stale) {
      const built = Date.parse(String(row.comment ?? '').replace('veza test template built ', ''));
      if (Number.isNaN(built) || Date.now() - built < 86_400_000) continue;
      await admin.unsafe(`ALTER DATABASE ${quoted(row.datname)} WITH IS_TEMPLATE false`);
      await admin.unsafe(`DROP DATABASE ${quoted(row.datname)} WITH (FORCE)`);
    }
    return name;
  } finally {
    await admin`SELECT pg_advisory_unlock(hashtext('veza-test-template'))`.catch(() => {});
    await admin.end();
  }
}
