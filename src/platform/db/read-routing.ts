// Read routing (issue 19 §5, ADR 0099). A route opts in with one line, `config: { reads: 'replica' }`; while its
// handler runs, the reads it makes through the application's `db` go to a usable replica that has replayed the
// caller's own last write, and everything else (writes, transactions, every other route) goes to the primary.
// Repositories and services do not change: the choice is made per connection, under the query builder.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from './db.generated.ts';
import { isConnectionError, type Database, type Pool } from './pool.ts';
import { MemoryWriteMarks, RedisWriteMarks, type WriteMarks } from './read-your-writes.ts';
import { parseLsn, ReplicaSet, type Replica } from './replica-set.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Serve this route's reads from a read replica when one fits (ADR 0099); the route must not rely on a write. */
    reads?: 'replica';
  }
}

interface ReadContext {
  userId: string | undefined;
  /** Chosen at the first read, then kept: all reads of one request see the same server. */
  target?: Promise<Replica | undefined>;
  /** Set when a replica failed during this request, which then counts once as a primary read. */
  fellBack?: boolean;
}

const readContext = new AsyncLocalStorage<ReadContext>();

/** Methods that never write: their requests leave no read-your-writes mark. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Errors after which a read sent to a replica is run again on the primary: the replica is gone or refused the
 * statement before doing anything (a write in a read-only transaction, a conflict with recovery, no free slot).
 */
function isReplicaRetryable(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['25006', '40001', '40P01', '53300', '57P04'].includes(code);
}

/**
 * Whether a statement only reads. Kysely's selects are; raw text is when it starts as a query and names no data
 * change. A misjudged one is refused by the standby (25006) and run on the primary, so this only needs to be cheap.
 */
function isRead(query: CompiledQuery): boolean {
  if (query.query.kind === 'SelectQueryNode') return true;
  if (query.query.kind !== 'RawNode') return false;
  return /^\s*(select|with)\b/i.test(query.sql) && !/\b(insert|update|delete|merge)\b/i.test(query.sql);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A connection of `db`'s pool held until `release()`, taken through Kysely so the pool's wrapper still applies. */
interface Held {
  connection: DatabaseConnection;
  replica: Replica | undefined;
  release(): Promise<void>;
}

function hold(db: Database, replica: Replica | undefined): Promise<Held> {
  return new Promise<Held>((resolve, reject) => {
    let letGo!: () => void;
    const released = new Promise<void>((done) => {
      letGo = done;
    });
    const lifetime = db.getExecutor().provideConnection(async (connection) => {
      resolve({
        connection,
        replica,
        release: async () => {
          letGo();
          await lifetime;
        },
      });
      await released;
    });
    lifetime.catch(reject);
  });
}

/** How long a request waits for the shared read-your-writes marks before using the primary. */
const MARKS_TIMEOUT_MS = 500;

export class ReadRouting {
  readonly replicas: ReplicaSet;
  /** The application's pool with routed reads: what the domains get instead of the primary's. */
  readonly pool: Pool;
  readonly #primary: Pool;
  readonly #marks: WriteMarks;
  readonly #log: (line: string) => void;

  constructor(primary: Pool, replicas: ReplicaSet, marks: WriteMarks, log: (line: string) => void) {
    this.#primary = primary;
    this.replicas = replicas;
    this.#marks = marks;
    this.#log = log;
    const db = new Kysely<DB>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new RoutingDriver(primary.db, this),
        createIntrospector: (kysely) => new PostgresIntrospector(kysely),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    this.pool = { db, pg: primary.pg, close: () => primary.close() };
  }

  /** Runs `work` (a request handler) with its reads routed for the caller `userId` (undefined: anonymous). */
  runReads<T>(userId: string | undefined, work: () => T): T {
    return readContext.run({ userId }, work);
  }

  /** The replica for this request's reads, or undefined for the primary; decided once per request. */
  target(context: ReadContext): Promise<Replica | undefined> {
    context.target ??= (async () => {
      let minLsn: bigint | undefined;
      if (context.userId !== undefined) {
        try {
          minLsn = await withTimeout(this.#marks.lastWrite(context.userId), MARKS_TIMEOUT_MS);
        } catch (error) {
          // Not knowing the caller's last write, only the primary is sure to hold it.
          this.#log(`read-your-writes marks unavailable, reading from the primary: ${String(error)}`);
          return undefined;
        }
      }
      return this.replicas.choose(minLsn);
    })().then((replica) => {
      if (replica) replica.reads += 1;
      else this.replicas.primaryReads += 1;
      return replica;
    });
    return context.target;
  }

  /** Called after a signed-in caller's write request: its next reads need a replica at least this far. */
  async recordWrite(userId: string): Promise<void> {
    const { rows } = await this.#primary.pg.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    await withTimeout(this.#marks.record(userId, parseLsn(rows[0]!.lsn)), MARKS_TIMEOUT_MS);
  }

  async close(): Promise<void> {
    await this.replicas.close();
    await this.#marks.close();
  }
}

class RoutingDriver implements Driver {
  readonly #primary: Database;
  readonly #routing: ReadRouting;

  constructor(primary: Database, routing: ReadRouting) {
    this.#primary = primary;
    this.#routing = routing;
  }

  async init(): Promise<void> {}

  // The read context is taken here, in the request's own asynchronous chain.
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new RoutedConnection(this.#primary, this.#routing, readContext.getStore()));
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // A transaction may write, and its reads must see its writes: always the primary.
    (connection as RoutedConnection).pinToPrimary();
    let text = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      text = 'start transaction';
      if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) text += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as RoutedConnection).release();
  }

  // The pools belong to the primary's Pool and to the ReplicaSet, which close them.
  async destroy(): Promise<void> {}
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Takes a real connection at its first statement, when it knows whether that statement only reads. */
class RoutedConnection implements DatabaseConnection {
  readonly #primary: Database;
  readonly #routing: ReadRouting;
  readonly #context: ReadContext | undefined;
  #held: Held | undefined;
  #pinned = false;

  constructor(primary: Database, routing: ReadRouting, context: ReadContext | undefined) {
    this.#primary = primary;
    this.#routing = routing;
    this.#context = context;
  }

  pinToPrimary(): void {
    this.#pinned = true;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#held) {
      const routed = !this.#pinned && this.#context !== undefined && isRead(query);
      const replica = routed ? await this.#routing.target(this.#context) : undefined;
      this.#held = await this.#take(replica);
    }
    const held = this.#held;
    if (!held.replica) return held.connection.executeQuery<R>(query);
    try {
      return await held.connection.executeQuery<R>(query);
    } catch (error) {
      if (!isReplicaRetryable(error)) throw error;
      if (isConnectionError(error)) this.#routing.replicas.markDown(held.replica, error);
      this.#fallBackToPrimary();
      this.#held = undefined;
      await held.release();
      this.#held = await this.#take(undefined);
      return this.#held.connection.executeQuery<R>(query);
    }
  }

  async #take(replica: Replica | undefined): Promise<Held> {
    if (!replica) return hold(this.#primary, undefined);
    try {
      return await hold(replica.pool.db, replica);
    } catch (error) {
      if (!isReplicaRetryable(error)) throw error;
      this.#routing.replicas.markDown(replica, error);
      this.#fallBackToPrimary();
      return hold(this.#primary, undefined);
    }
  }

  /** The rest of this request reads from the primary too, so it never sees the data go back in time. */
  #fallBackToPrimary(): void {
    if (!this.#context || this.#context.fellBack) return;
    this.#context.fellBack = true;
    this.#context.target = Promise.resolve(undefined);
    this.#routing.replicas.primaryReads += 1;
  }

  // Streams are not routed (none of the replica-enabled routes streams): they run where the primary's would.
  async *streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    this.#held ??= await hold(this.#primary, undefined);
    yield* this.#held.connection.streamQuery<R>(query, chunkSize);
  }

  async release(): Promise<void> {
    const held = this.#held;
    this.#held = undefined;
    await held?.release();
  }
}

/**
 * Installs read routing on `app` (before any route is declared): the handlers of routes with
 * `config: { reads: 'replica' }` run in a read context, and each signed-in write request leaves its mark. Without
 * `routing` (no VEZA_DATABASE_READ_URLS), nothing changes and every read goes to the primary.
 */
export function installReadRouting(app: FastifyInstance, routing: ReadRouting | undefined): void {
  if (!routing) return;
  app.addHook('onRoute', (route) => {
    if (route.config?.reads !== 'replica') return;
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function routedReads(request, reply) {
      return routing.runReads(request.caller?.userId, () => handler.call(this, request, reply));
    };
  });
  app.addHook('onSend', async (request, reply) => {
    const userId = request.caller?.userId;
    if (userId === undefined || SAFE_METHODS.has(request.method)) return;
    // A refused request changed nothing; anything else may have, a 5xx after its commit included.
    if (reply.statusCode >= 400 && reply.statusCode < 500) return;
    try {
      await routing.recordWrite(userId);
    } catch (error) {
      request.log.warn({ err: error }, 'could not record the write position for read-your-writes');
    }
  });
}

/**
 * The read routing VEZA_DATABASE_READ_URLS asks for, its replicas checked once already; undefined when none is
 * configured. Read-your-writes marks live in Redis when VEZA_REDIS_URL is set, else in this process.
 */
export async function openReadRouting(
  primary: Pool,
  config: Config,
  log: (line: string) => void,
): Promise<ReadRouting | undefined> {
  const settings = config.readReplicas;
  if (!settings || settings.urls.length === 0) return undefined;
  const replicas = new ReplicaSet(primary, settings.urls, config.db, {
    maxLagSeconds: settings.maxLagSeconds,
    checkIntervalMs: settings.checkIntervalMs,
    log,
    poolOptions: { onIdleError: (error) => log(`read replica connection lost: ${error.message}`) },
  });
  // A replica may serve a caller's read once the mark is gone only if it cannot be that far behind unnoticed: it is
  // skipped past maxLagSeconds, measured every check; a minute more covers checks that failed in between.
  const ttlSeconds = settings.maxLagSeconds + 60;
  const marks = config.redis.url ? new RedisWriteMarks(config.redis.url, ttlSeconds) : new MemoryWriteMarks(ttlSeconds);
  const routing = new ReadRouting(primary, replicas, marks, log);
  try {
    await replicas.start();
  } catch (error) {
    await routing.close();
    throw error;
  }
  return routing;
}
