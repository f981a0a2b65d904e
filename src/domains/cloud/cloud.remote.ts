// One WebDAV server as the backups see it (issue 17 §9-12, ADR 0085), over the maintained `webdav` client (ADR 0086).
// Every request is bounded in time and goes through the SSRF-guarded agents; every failure is classified so that an
// account can be marked for what went wrong without ever storing the server's raw answer (or our password).
import type { Readable } from 'node:stream';
import { AuthType, createClient, type DiskQuota, type FileStat, type WebDAVClient } from 'webdav';
import { guardedAgents } from './cloud.url-guard.ts';

/**
 * What went wrong on the remote side: `credentials_rejected` (401/403: the app password was revoked or mistyped),
 * `storage_full` (507 Insufficient Storage), `unreachable` (refused, reset, timed out, unknown host, 5xx),
 * `forbidden_address` (the SSRF guard refused a connection: a redirect or a re-resolution into our network), and
 * `rejected` (any other answer about this one request: the run goes on with the next file).
 */
export type RemoteFailureKind =
  'credentials_rejected' | 'storage_full' | 'unreachable' | 'forbidden_address' | 'rejected';

export class RemoteError extends Error {
  readonly kind: RemoteFailureKind;
  readonly status: number | undefined;
  constructor(kind: RemoteFailureKind, message: string, status?: number) {
    super(message);
    this.name = 'RemoteError';
    this.kind = kind;
    this.status = status;
  }

  /** Whether the whole account is failing (stop the run, mark the account) rather than this one request. */
  get accountWide(): boolean {
    return this.kind !== 'rejected';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** Maps what the client threw to a RemoteError whose message is ours (status code and a fixed phrase only). */
export function classifyRemoteError(error: unknown): RemoteError {
  if (error instanceof RemoteError) return error;
  const found = error as { status?: unknown; code?: unknown; name?: unknown; cause?: unknown };
  const status = typeof found?.status === 'number' ? found.status : undefined;
  if (status === 401 || status === 403)
    return new RemoteError('credentials_rejected', `the server refused the credentials (HTTP ${status})`, status);
  if (status === 507) return new RemoteError('storage_full', 'the server has no space left (HTTP 507)', status);
  if (status !== undefined && status >= 500)
    return new RemoteError('unreachable', `the server failed (HTTP ${status})`, status);
  if (status !== undefined)
    return new RemoteError('rejected', `the server refused the request (HTTP ${status})`, status);
  const codes = [found?.code, (found?.cause as { code?: unknown } | undefined)?.code];
  if (codes.includes('EVEZAFORBIDDEN'))
    return new RemoteError('forbidden_address', 'the server address is a loopback, private or link-local address');
  if (found?.name === 'AbortError' || found?.name === 'TimeoutError')
    return new RemoteError('unreachable', 'the server did not answer in time');
  const code = codes.find((c): c is string => typeof c === 'string' && NETWORK_CODES.has(c));
  if (code) return new RemoteError('unreachable', `the server cannot be reached (${code})`);
  return new RemoteError('unreachable', 'the connection to the server failed');
}

export interface RemoteEndpoint {
  serverUrl: string;
  username: string;
  password: string;
  allowPrivateHosts: boolean;
}

export interface RemoteEntry {
  name: string;
  size: number;
  etag: string | null;
  directory: boolean;
}

/** Metadata requests; an upload gets UPLOAD_TIMEOUT_MS. */
const REQUEST_TIMEOUT_MS = 20_000;
const UPLOAD_TIMEOUT_MS = 15 * 60_000;

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '')
    .join('/')}`;
export { join as remoteJoin };

export class Remote {
  readonly #client: WebDAVClient;

  constructor(endpoint: RemoteEndpoint) {
    this.#client = createClient(endpoint.serverUrl, {
      authType: AuthType.Password,
      username: endpoint.username,
      password: endpoint.password,
      ...guardedAgents(endpoint.allowPrivateHosts),
    });
  }

  async #call<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    try {
      return await work(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      throw classifyRemoteError(error);
    }
  }

  /** The connection test: the folder must be listable with these credentials; the quota when the server says. */
  async probe(path: string): Promise<{ quotaTotal: number | null; quotaUsed: number | null }> {
    await this.#call((signal) => this.#client.getDirectoryContents(path, { signal }));
    const quota = await this.#call((signal) => this.#client.getQuota({ signal, path })).catch(() => null);
    const q = quota as DiskQuota | null;
    if (!q || typeof q.used !== 'number') return { quotaTotal: null, quotaUsed: null };
    const total = typeof q.available === 'number' ? q.available + q.used : null;
    return { quotaTotal: total, quotaUsed: q.used };
  }

  /** Creates the folder and its parents; an existing folder is fine. */
  async ensureDirectory(path: string): Promise<void> {
    await this.#call((signal) => this.#client.createDirectory(path, { recursive: true, signal }));
  }

  async stat(path: string): Promise<RemoteEntry | undefined> {
    try {
      const stat = (await this.#call((signal) => this.#client.stat(path, { signal }))) as FileStat;
      return { name: stat.basename, size: stat.size, etag: stat.etag, directory: stat.type === 'directory' };
    } catch (error) {
      if (error instanceof RemoteError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list(path: string): Promise<RemoteEntry[]> {
    try {
      const entries = await this.#call<FileStat[]>((signal) => this.#client.getDirectoryContents(path, { signal }));
      return entries.map((stat) => ({
        name: stat.basename,
        size: stat.size,
        etag: stat.etag,
        directory: stat.type === 'directory',
      }));
    } catch (error) {
      if (error instanceof RemoteError && error.status === 404) return [];
      throw error;
    }
  }

  async upload(path: string, body: Readable | string, size: number): Promise<void> {
    await this.#call(
      (signal) => this.#client.putFileContents(path, body, { overwrite: true, contentLength: size, signal }),
      UPLOAD_TIMEOUT_MS,
    );
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return (await this.#call((signal) => this.#client.getFileContents(path, { format: 'text', signal }))) as string;
    } catch (error) {
      if (error instanceof RemoteError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Deleting what is already gone succeeds. */
  async remove(path: string): Promise<void> {
    try {
      await this.#call((signal) => this.#client.deleteFile(path, { signal }));
    } catch (error) {
      if (!(error instanceof RemoteError && error.status === 404)) throw error;
    }
  }
}
