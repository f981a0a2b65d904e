// Test support of the chat gateway: several app instances on one database, each listening on a real port, and a
// WebSocket client that queues what it receives.
import { after, before } from 'node:test';
import WebSocket from 'ws';
import { buildApp } from '../../../app/build-app.ts';
import { AccessTokens, createAuthenticator } from '../../auth/index.ts';
import { loadConstraintColumns } from '../../../platform/db/constraint-columns.ts';
import { listMigrationFiles } from '../../../platform/db/migrations.ts';
import { openPool, type Pool } from '../../../platform/db/pool.ts';
import type { HttpServer } from '../../../platform/http/server.ts';
import { authFactories } from '../../../../test/factories/auth.ts';
import { chatFactories } from '../../../../test/factories/chat.ts';
import { TEST_JWT_SECRET, testConfig } from '../../../../test/helpers/app.ts';
import { dropDatabase, migratedDatabase, type TestDatabase } from '../../../../test/helpers/database.ts';
import { recordChatEvent, type ChatEvent } from '../chat.events.ts';

export interface Instance {
  app: HttpServer;
  pool: Pool;
  url: string;
  closed: boolean;
}

export interface Cluster {
  database: TestDatabase;
  instances: Instance[];
  accessTokens: AccessTokens;
  /** Closes one instance as a crash would look to its clients: its sockets drop. */
  stop(instance: Instance): Promise<void>;
}

/**
 * `count` instances of the whole application on one database, each listening on a free port of 127.0.0.1; `pool`
 * overrides their pool settings (a small pool with a short connect timeout stalls easily).
 */
export function useCluster(
  count: number,
  env: Record<string, string> = {},
  pool: { poolSize?: number; connectTimeoutMs?: number } = {},
): { readonly current: Cluster } {
  let cluster: Cluster | undefined;
  before(async () => {
    const database = await migratedDatabase();
    const accessTokens = new AccessTokens(TEST_JWT_SECRET, 900);
    const instances: Instance[] = [];
    for (let i = 0; i < count; i += 1) {
      const instancePool = openPool(database.url, {
        poolSize: pool.poolSize ?? 4,
        connectTimeoutMs: pool.connectTimeoutMs ?? 10_000,
        statementTimeoutMs: 10_000,
        lockTimeoutMs: 3_000,
        prepareStatements: true,
      });
      const app = await buildApp({
        pool: instancePool,
        config: testConfig(database.url, env),
        accessTokens,
        authenticate: createAuthenticator(accessTokens, instancePool.db),
        latestMigrationVersion: listMigrationFiles().at(-1)?.version ?? 0,
        constraintColumns: await loadConstraintColumns(instancePool.db),
        logLevel: 'silent',
      });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      instances.push({
        app,
        pool: instancePool,
        url: `${address.replace('http', 'ws')}/v1/chat/socket`,
        closed: false,
      });
    }
    cluster = {
      database,
      instances,
      accessTokens,
      async stop(instance) {
        if (instance.closed) return;
        instance.closed = true;
        await instance.app.close();
        await instance.pool.close();
      },
    };
  });
  after(async () => {
    if (!cluster) return;
    for (const instance of cluster.instances) await cluster.stop(instance);
    await dropDatabase(cluster.database);
  });
  return {
    get current() {
      if (!cluster) throw new Error('the cluster is only available inside tests');
      return cluster;
    },
  };
}

export interface Person {
  id: string;
  token: string;
}

export async function person(cluster: Cluster): Promise<Person> {
  const user = await authFactories.users(cluster.database.sql, { data_processing_consent: true });
  const { token } = await cluster.accessTokens.issue({
    userId: user.id as string,
    tokenVersion: user.token_version as number,
    role: 'user',
  });
  return { id: user.id as string, token };
}

/** A public room with these members (the first one its owner). */
export async function roomWith(cluster: Cluster, members: Person[]): Promise<string> {
  const sql = cluster.database.sql;
  const room = await chatFactories.rooms(sql, { creator_id: members[0]!.id });
  for (const [i, member] of members.entries())
    await chatFactories.room_members(sql, { room_id: room.id, user_id: member.id, role: i === 0 ? 'owner' : 'member' });
  return room.id as string;
}

/** Records events as the write path does: in a transaction of the instance's pool. */
export async function record(instance: Instance, ...events: ChatEvent[]): Promise<string[]> {
  const seqs: string[] = [];
  await instance.pool.db.transaction().execute(async (tx) => {
    for (const event of events) seqs.push((await recordChatEvent(tx, event)).seq);
  });
  return seqs;
}

let counter = 0;
export function messageEvent(roomId: string, senderId: string, content = `m${(counter += 1)}`): ChatEvent {
  return {
    type: 'message.created',
    scope: { kind: 'room', roomId },
    payload: {
      message: {
        id: crypto.randomUUID(),
        room_id: roomId,
        sender_id: senderId,
        content,
        message_type: 'text',
        attachment_file_id: null,
        reply_to_id: null,
        created_at: new Date().toISOString(),
      },
    },
  };
}

export type Frame = Record<string, unknown> & { type: string };

/** A WebSocket client that keeps every frame it receives, and the close code when closed. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  closeCode: number | undefined;
  closeReason = '';
  readonly #waiters: { check: () => boolean; resolve: () => void }[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(url: string, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols, { maxPayload: 64 * 1024 * 1024 });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.#wake();
        resolve(code);
      });
    });
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      this.#wake();
    });
  }

  static async open(url: string, protocols?: string[]): Promise<TestClient> {
    const client = new TestClient(url, protocols);
    await client.opened;
    return client;
  }

  /** Opens, authenticates with a first frame and waits for `ready` and the personal `subscribed`. */
  static async signedIn(url: string, who: Person, since?: string): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send({ type: 'auth', token: who.token, ...(since ? { since } : {}) });
    await client.next((f) => f.type === 'subscribed' && f.scope === 'personal');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.check()) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves when `check` holds (re-evaluated on every frame and on close). */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => check() || this.closeCode !== undefined,
        resolve: () => (check() ? resolve() : reject(new Error(`closed (${this.closeCode}) before ${what}`))),
      };
      this.#waiters.push(waiter);
    });
  }

  /** The first frame (after index `from`) matching, waiting for it. */
  async next(match: (frame: Frame) => boolean, from = 0): Promise<Frame> {
    const find = () => this.frames.slice(from).find(match);
    await this.until(() => find() !== undefined, 'the expected frame');
    return find()!;
  }

  events(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'event');
  }

  async subscribe(roomId: string, since?: string): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: 'subscribe', room_id: roomId, ...(since ? { since } : {}) });
    return this.next(
      (f) => (f.type === 'subscribed' && f.room_id === roomId) || (f.type === 'error' && f.field === 'room_id'),
      from,
    );
  }

  close(): Promise<number> {
    if (this.closeCode === undefined) this.ws.close();
    return this.closed;
  }
}
