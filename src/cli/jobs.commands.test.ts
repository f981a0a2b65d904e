import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { runVeza } from '../../test/helpers/veza-cli.ts';
import { lifecycleJobs } from '../lifecycle/lifecycle-jobs.ts';

const database = useMigratedDatabase();
const veza = (args: string[]) => runVeza(args, { DATABASE_URL: database.current.url });

describe('veza jobs', () => {
  test('run --dry-run reports what it would do and changes nothing; run does it; list shows the last run', async () => {
    const { sql } = database.current;
    const [user] = await sql`INSERT INTO users (email, username) VALUES ('jobs@example.test', 'jobs_cli') RETURNING id`;
    await sql`
      INSERT INTO refresh_tokens (user_id, token, token_hash, created_at, expires_at)
      VALUES (${user?.id as string}, 'selector', 'hash', NOW() - INTERVAL '90 days', NOW() - INTERVAL '60 days')`;

    const dry = await veza(['jobs', 'run', 'retention.sessions', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /retention\.sessions succeeded \(dry run, rolled back\): refresh_tokens=1/);
    assert.equal((await sql`SELECT count(*)::int AS n FROM refresh_tokens`)[0]?.n, 1);

    const real = await veza(['jobs', 'run', 'retention.sessions']);
    assert.match(real.stdout, /retention\.sessions: refresh_tokens 1 row\(s\)/, 'progress is printed');
    assert.equal((await sql`SELECT count(*)::int AS n FROM refresh_tokens`)[0]?.n, 0);

    const list = await veza(['jobs', 'list']);
    for (const job of lifecycleJobs) assert.match(list.stdout, new RegExp(job.name.replaceAll('.', '\\.')));
    assert.match(list.stdout, /retention\.sessions\s+15 3 \* \* \*\s+last succeeded/);
  });

  test('an unknown job is refused', async () => {
    const result = await veza(['jobs', 'run', 'no.such.job']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no job named no\.such\.job/);
  });
});
