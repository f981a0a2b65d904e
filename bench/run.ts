// `npm run bench`: measures the workloads of bench/workloads.ts on a seeded database, through our data layer and
// through pgbench (the raw limit), then the HTTP read endpoints and 1,000 clients through PgBouncer, and writes
// docs/benchmarks.md with a chart. Method and figures: docs/benchmarks.md.
//
// `npm run bench -- --quick --database veza_mine --scale 0.01` runs only the HTTP part (each endpoint beside
// pgbench on its statements, at each --http-connections count, and held at half its throughput), prints the
// table and writes nothing: for iterating on the API layer (ADR 0030).
//
// Two parts run on their own, each against a fresh database of its own, and are not started from here:
// `npm run bench:files` (bench/files.ts) and `npm run bench:chat` (bench/chat-fanout.ts: WebSocket fan-out across
// two `veza serve` processes, minutes of 1,000 sockets); their figures are hand-written sections of the report.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadConfig } from '../src/platform/config/config.ts';
import { ensureDatabase, openDatabaseServer, withDatabase } from '../src/platform/db/database-server.ts';
import { Migrator } from '../src/platform/db/migrations.ts';
import { openPool, PLAN_CACHE_MODE, queryCompiler } from '../src/platform/db/pool.ts';
import { ProgressReporter } from '../src/seed/progress.ts';
import { runSeed } from '../src/seed/seed.ts';
import { VOLUMES } from '../src/seed/volumes.ts';
import { benchmarkHttp, type HttpResult } from './http.ts';
import { raceForExclusiveLicence } from './marketplace-race.ts';
import { describeSearchQuality, measureSearchQuality, SEARCH_DISTRACTORS } from './search-quality.ts';
import type { Measurement } from './measurement.ts';
import { buildParameterPools } from './params.ts';
import { benchmarkThroughPooler } from './pooler.ts';
import {
  describeMachine,
  httpTable,
  latencyChartSvg,
  chartRows,
  markdownReport,
  replaceGeneratedSection,
  type BenchReport,
  type PoolerResult,
  type SqlResult,
} from './report.ts';
import { measureSideBySide } from './side-by-side.ts';
import { hitRatios, resetStatistics, serverFacts } from './server-facts.ts';
import { WORKLOADS, type Workload } from './workloads.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    database: { type: 'string', default: 'veza_bench' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string', default: '16' },
    only: { type: 'string' },
    'http-connections': { type: 'string', default: '10,32' },
    'http-endpoints': { type: 'string' },
    /** VEZA_WORKERS of the service under load. */
    workers: { type: 'string', default: '1' },
    quick: { type: 'boolean', default: false },
    'pooler-clients': { type: 'string', default: '1000' },
    'pooler-pool': { type: 'string', default: '100' },
    skip: { type: 'string', default: '' },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`Usage: node bench/run.ts [options]   (npm run bench -- [options])

  --scale <n>               seed scale of the benchmark database (default 0.1)
  --seed <n>                seed of the data and of the draws (default 1)
  --database <name>         database to seed and measure (default veza_bench; never postgres)
  --duration <s>            measured seconds per workload (default 10)
  --warmup <s>              seconds before the measured window (default 2)
  --clients <n>             SQL clients on each side, ours and pgbench (default 16)
  --only <p1,p2>            workloads whose name starts with one of these prefixes
  --http-connections <list> HTTP connection counts, each a round over the endpoints (default 10,32)
  --http-endpoints <list>   HTTP endpoints by name (default: all)
  --workers <n>             VEZA_WORKERS of the service under load (default 1)
  --quick                   the HTTP part only, printed, nothing written
  --pooler-clients <n>      clients through PgBouncer (default 1000)
  --pooler-pool <n>         PgBouncer's server pool (default 100)
  --skip <list>             parts to skip: http, pooler, race, search
  --out <file>              report to write (default docs/benchmarks.md)`);
  process.exit(0);
}
const skipped = new Set(args.skip.split(',').filter(Boolean));
const httpConnections = args['http-connections'].split(',').map((count) => Number(count.trim()));
if (httpConnections.some((count) => !Number.isInteger(count) || count < 1)) {
  throw new Error(
    `--http-connections must be a comma-separated list of positive integers, not ${args['http-connections']}`,
  );
}
const httpOptions = {
  connections: httpConnections,
  compareWithPgbench: true,
  halfRate: true,
  env: { VEZA_WORKERS: args.workers },
  ...(args['http-endpoints'] ? { endpoints: args['http-endpoints'].split(',').map((name) => name.trim()) } : {}),
};

const scale = Number(args.scale);
const options = {
  clients: Number(args.clients),
  durationSeconds: Number(args.duration),
  warmupSeconds: Number(args.warmup),
  seed: Number(args.seed),
};

function chosenWorkloads(): Workload[] {
  if (!args.only) return [...WORKLOADS];
  const wanted = args.only.split(',').map((name) => name.trim());
  const chosen = WORKLOADS.filter((workload) => wanted.some((name) => workload.name.startsWith(name)));
  if (chosen.length === 0) throw new Error(`--only ${args.only} names no workload`);
  return chosen;
}

/** Migrates and seeds the benchmark database unless it holds a seed of the requested scale already. */
async function prepareDatabase(url: string): Promise<void> {
  const migrator = new Migrator(url);
  if ((await migrator.status()).pending.length > 0) await migrator.migrate();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [{ users }] = (await sql`SELECT count(*)::int AS users FROM users`) as unknown as [{ users: number }];
    if (users === 0) {
      console.error(`bench: seeding ${url.replace(/\/\/[^@]*@/, '//')} at scale ${scale}`);
      await runSeed(url, { scale, seed: options.seed, reporter: new ProgressReporter(process.stderr) });
      return;
    }
    const seeded = users / VOLUMES.users;
    if (Math.abs(seeded - scale) > scale * 0.05) {
      throw new Error(
        `the database holds a seed of scale ${seeded.toFixed(3)}, not ${scale}: pass --scale ${seeded.toFixed(3)}` +
          ` or drop the database "${args.database}"`,
      );
    }
  } finally {
    await sql.end();
  }
}

function line(name: string, side: string, m: Measurement): string {
  const f = (ms: number) => ms.toFixed(2).padStart(7);
  return (
    `${name.padEnd(34)} ${side.padEnd(8)} p50 ${f(m.latency.p50)}  p95 ${f(m.latency.p95)}  p99 ${f(m.latency.p99)} ms` +
    `  ${Math.round(m.throughput).toLocaleString('en-US').padStart(7)} req/s${m.errors ? `  ${m.errors} errors` : ''}`
  );
}

/** The tables the workloads read or write. */
const VACUUMED_TABLES = [
  'users',
  'tracks',
  'track_comments',
  'track_likes',
  'rooms',
  'room_members',
  'messages',
  'follows',
  'posts',
  'products',
  'orders',
  'order_items',
];

/** The workloads run again with 1,000 clients through PgBouncer: a read, a paged read and a write. */
const POOLER_WORKLOADS = ['auth.user_by_username', 'chat.room_latest_messages', 'chat.send_message'];

/** Writes the generated part of the report and the chart next to it; keeps the hand-written rest. */
async function writeReport(report: BenchReport): Promise<void> {
  const document = resolve(args.out);
  const chart = join(dirname(document), 'benchmarks', 'latency.svg');
  await mkdir(dirname(chart), { recursive: true });
  await writeFile(chart, latencyChartSvg(chartRows(report)));
  await writeFile(join(dirname(chart), 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const existing = await readFile(document, 'utf8').catch(() => '# Benchmarks\n');
  const generated = markdownReport(report, relative(dirname(document), chart));
  await writeFile(document, replaceGeneratedSection(existing, generated));
  console.log(`bench: wrote ${relative(process.cwd(), document)} and ${relative(process.cwd(), chart)}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await openDatabaseServer(config);
  try {
    const url = await ensureDatabase(withDatabase(server.url, 'postgres'), args.database);
    await prepareDatabase(url);
    if (args.quick) {
      const http = await benchmarkHttp({ ...httpOptions, databaseUrl: url, ...options });
      console.log(`\n${httpTable(http, [])}`);
      return;
    }
    const pool = openPool(url, { ...config.db, poolSize: options.clients, prepareStatements: true });
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const compiler = queryCompiler();
    try {
      const startedAt = new Date().toISOString();
      const workloads = chosenWorkloads();
      const pools = await buildParameterPools(admin, workloads);
      // Earlier runs' writes leave dead rows (a like updates its track); start from what autovacuum leaves.
      await admin.unsafe(`VACUUM (ANALYZE) ${VACUUMED_TABLES.join(', ')}`);
      await resetStatistics(admin);
      const sqlResults: SqlResult[] = [];
      for (const workload of workloads) {
        const { ours, raw } = await measureSideBySide(workload, pools.get(workload.name)!, {
          db: pool.db,
          admin,
          compiler,
          loop: options,
          // The same plan caching as our pool's connections (ADR 0027).
          pgbench: { url, sessionOptions: `-c plan_cache_mode=${PLAN_CACHE_MODE}` },
          report: (side, measurement) => console.log(line(workload.name, side, measurement)),
        });
        const { name, kind, description } = workload;
        sqlResults.push({ name, kind, description, ours, raw });
      }
      // Ratios describe the SQL runs: the HTTP and pooler runs read the same rows again.
      const ratios = await hitRatios(admin);
      console.log(
        `index hit ratio ${(ratios.indexHitRatio * 100).toFixed(2)} %, cache hit ratio ${(ratios.cacheHitRatio * 100).toFixed(2)} %`,
      );

      let http: HttpResult[] = [];
      if (!skipped.has('http')) {
        http = await benchmarkHttp({
          ...httpOptions,
          databaseUrl: url,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
        });
        for (const result of http) console.log(line(result.name, 'http', result.measurement));
      }

      const pooler: PoolerResult[] = [];
      if (!skipped.has('pooler')) {
        const poolerWorkloads = workloads.filter((workload) => POOLER_WORKLOADS.includes(workload.name));
        const rows = await benchmarkThroughPooler(poolerWorkloads, pools, {
          ...options,
          clients: Number(args['pooler-clients']),
          serverUrl: url,
          serverPool: Number(args['pooler-pool']),
          db: config.db,
          compiler,
          admin,
          report: (row) => console.log(line(row.name, `${row.side}@pgb`, row.measurement)),
        });
        for (const row of rows) {
          pooler.push({
            name: `${row.name} (${row.side})`,
            clients: row.clients,
            serverPool: row.serverPool,
            measurement: row.measurement,
          });
        }
      }

      // Issue 16 §2's race, once: when the marketplace is measured and the race is not skipped.
      const notes: string[] = [];
      if (!skipped.has('race') && workloads.some((workload) => workload.name.startsWith('marketplace.'))) {
        const race = await raceForExclusiveLicence({ databaseUrl: url, env: httpOptions.env });
        const note =
          `100-buyer race: ${Math.round(race.durationMs)} ms for ${race.buyers} concurrent checkouts of one exclusive ` +
          `licence over HTTP (answers ${JSON.stringify(race.answers)})`;
        console.log(note);
        notes.push(note);
      }

      // Issue 18 §5: search quality on a labelled corpus, in a database of its own (<database>_search).
      if (!skipped.has('search')) {
        const searchUrl = await ensureDatabase(withDatabase(server.url, 'postgres'), `${args.database}_search`);
        await new Migrator(searchUrl).migrate();
        const note = describeSearchQuality(await measureSearchQuality(searchUrl, SEARCH_DISTRACTORS));
        console.log(note);
        notes.push(note);
      }

      const facts = await serverFacts(admin);
      const report: BenchReport = {
        startedAt,
        data: { scale, seed: options.seed, databaseSizeBytes: facts.databaseSizeBytes },
        server: { version: facts.version, settings: facts.settings },
        machine: describeMachine(),
        method: {
          clients: options.clients,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          poolSize: options.clients,
          httpConnections: httpConnections.join(' and '),
          httpDurationSeconds: options.durationSeconds,
        },
        sql: sqlResults,
        http,
        pooler,
        hitRatios: ratios,
        notes,
      };
      await writeReport(report);
      console.log('bench: the files and chat fan-out benchmarks are `npm run bench:files` and `npm run bench:chat`');
    } finally {
      await pool.close();
      await compiler.destroy();
      // an open connection keeps the process alive after the report is written
      await admin.end({ timeout: 5 });
    }
  } finally {
    await server.stop();
  }
}

await main();
