// What the processes of the chat fan-out benchmark (bench/chat-fanout.ts) share: the clock every timestamp is read
// from, and a small request/response protocol over Node's IPC channel between the coordinator and its client and
// writer processes.
import { fork, type ChildProcess } from 'node:child_process';

/** Content of a benchmark message: `fanout #<number>`; the number is unique over the whole benchmark run. */
export const CONTENT_PREFIX = 'fanout #';

/** One WebSocket client of a client process. */
export interface ClientSpec {
  socketUrl: string;
  token: string;
  roomId: string;
}

/**
 * Milliseconds on CLOCK_MONOTONIC, which Linux keeps one for the whole machine: a time read in the writer process
 * and one read in a client process subtract without any offset. (performance.now() counts from each process's own
 * start and could not be compared.) The coordinator checks the clock is shared before it measures anything.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

interface Request {
  id: number;
  method: string;
  params: unknown;
}

type Response = { id: number; result: unknown } | { id: number; error: string };

/** A child process answering `call`s; `stop` asks it to end (its `close` method) and waits for its exit. */
export interface Worker {
  readonly pid: number;
  call<T>(method: string, params?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Forks `script` (a bench/chat-fanout-*.ts file) with an IPC channel. */
export function startWorker(script: string): Worker {
  const child: ChildProcess = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: Response) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if ('error' in message) waiting.reject(new Error(`${script}: ${message.error}`));
    else waiting.resolve(message.result);
  });
  child.once('exit', (code, signal) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${script} exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    pid: child.pid ?? 0,
    call<T>(method: string, params?: unknown) {
      return new Promise<T>((resolve, reject) => {
        const id = (next += 1);
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, method, params } satisfies Request);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await this.call('close').catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: answers each request with its handler's result. `clock` answers monotonicMs(); `close` runs
 * the handler of that name, if any, then ends the process once the answer is sent.
 */
export function serveRequests(given: Record<string, (params: never) => unknown>): void {
  if (!process.send) throw new Error('this script is started by bench/chat-fanout.ts, not on its own');
  const handlers: Record<string, (params: never) => unknown> = { clock: () => monotonicMs(), ...given };
  const reply = (response: Response) =>
    new Promise<void>((resolve) => process.send!(response, undefined, undefined, () => resolve()));
  process.on('message', (request: Request) => {
    const handler = handlers[request.method];
    Promise.resolve()
      .then(() => {
        if (!handler && request.method !== 'close') throw new Error(`no method ${request.method}`);
        return handler?.(request.params as never);
      })
      .then(
        (result) => reply({ id: request.id, result: result ?? null }),
        (error: unknown) =>
          reply({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      )
      .then(() => {
        if (request.method === 'close') process.exit(0);
      })
      .catch(() => process.exit(1));
  });
}

/** Waits until `at` on the monotonic clock; the open-loop senders use it to keep their schedule. */
export async function until(at: number): Promise<void> {
  const wait = at - monotonicMs();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** An open loop: calls `send(i)` at `start + i / rate` for i < count without waiting for earlier sends to end. */
export async function openLoop(count: number, rate: number, send: (i: number) => Promise<void>) {
  const start = monotonicMs() + 50;
  const inFlight: Promise<void>[] = [];
  let lateMs = 0;
  for (let i = 0; i < count; i += 1) {
    const due = start + (i * 1000) / rate;
    await until(due);
    lateMs = Math.max(lateMs, monotonicMs() - due);
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  return { lateMs };
}
