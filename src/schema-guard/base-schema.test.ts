import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { adminUrl } from '../../test/helpers/database.ts';
import { MIGRATIONS_DIR } from '../platform/db/migrations.ts';
import { currentSchema, schemaAt, snapshotText } from './base-schema.ts';
import { diffSchemas } from './diff.ts';

// A throw-away repository whose base commit has our first two migrations, and whose working tree
// adds a third that drops a column: `schema diff` must build both schemas and call that forbidden.

let root: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=ci@veza.test', '-c', 'user.name=CI', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'veza-diff-repo-'));
  await mkdir(join(root, 'db', 'migrations'), { recursive: true });
  for (const name of ['0001_platform_foundation', '0002_auth_tables']) {
    for (const direction of ['up', 'down']) {
      const file = `${name}.${direction}.sql`;
      await copyFile(join(MIGRATIONS_DIR, file), join(root, 'db', 'migrations', file));
    }
  }
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  await writeFile(
    join(root, 'db', 'migrations', '0003_auth_drop_name.up.sql'),
    'ALTER TABLE users DROP COLUMN first_name;',
  );
  await writeFile(
    join(root, 'db', 'migrations', '0003_auth_drop_name.down.sql'),
    'ALTER TABLE users ADD COLUMN first_name VARCHAR(100);',
  );
});
after(() => rm(root, { recursive: true, force: true }));

describe('schema diff against a git ref', () => {
  test('builds the base from the ref’s migrations and the head from the working tree', async () => {
    const base = await schemaAt('HEAD', adminUrl(), root);
    const head = await currentSchema(adminUrl(), root);
    assert.deepEqual([...base.migrations.keys()].length, 4);
    assert.ok(head.migrations.has('0003_auth_drop_name.up.sql'));
    const changes = diffSchemas(base.catalog, head.catalog).map((c) => `${c.class} ${c.object}`);
    assert.deepEqual(changes, ['forbidden users.first_name']);
  });

  test('prefers the snapshot committed at the ref when there is one', async () => {
    const base = await schemaAt('HEAD', adminUrl(), root);
    const doctored = { ...base.catalog, tables: base.catalog.tables.filter((t) => t.name !== 'login_attempts') };
    await writeFile(join(root, 'db', 'schema.snapshot.json'), snapshotText(doctored));
    git('add', 'db/schema.snapshot.json');
    git('commit', '-qm', 'snapshot');
    const fromSnapshot = await schemaAt('HEAD', adminUrl(), root);
    assert.equal(
      fromSnapshot.catalog.tables.some((t) => t.name === 'login_attempts'),
      false,
    );
  });
});
