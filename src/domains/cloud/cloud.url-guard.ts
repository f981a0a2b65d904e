// SSRF rule of cloud accounts (issue 17 §13, ADR 0085): the server connects to a URL a user typed, so that URL must
// never lead into our own network. Checked twice: when the account is saved (a clear 422), and again on every
// connection the WebDAV client opens — through the agents below, whose DNS lookup refuses forbidden addresses — so a
// redirect to another host, or a name that resolves elsewhere after the check (DNS rebinding), is refused too.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup as lookupAll } from 'node:dns/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BlockList, isIP } from 'node:net';

/** Ranges no account URL may reach unless VEZA_CLOUD_ALLOW_PRIVATE_HOSTS is set. */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');

/** The URL is refused: `reason` is safe to show the user (it never holds a password). */
export class ForbiddenCloudUrlError extends Error {
  /** `invalid`: not a usable URL; `forbidden`: a usable URL into our own network (the SSRF rule). */
  readonly kind: 'invalid' | 'forbidden';
  constructor(reason: string, kind: 'invalid' | 'forbidden' = 'forbidden') {
    super(reason);
    this.name = 'ForbiddenCloudUrlError';
    this.kind = kind;
  }
}

export interface UrlGuardOptions {
  /** VEZA_CLOUD_ALLOW_PRIVATE_HOSTS. */
  allowPrivateHosts: boolean;
  /** Host names this service answers on (VEZA_PUBLIC_URL's, VEZA_HTTP_HOST): never a backup target. */
  ownHosts: readonly string[];
}

/** Whether one resolved address lies in a forbidden range; IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as IPv4. */
export function isForbiddenAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return FORBIDDEN.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const normalHost = (host: string) =>
  host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/**
 * Parses and checks an account URL before it is saved: http(s), no user name or password in it (they go in their
 * own, sealed field), no query or fragment, not this service, and every address its host resolves to allowed.
 * Returns the URL as it is stored (no trailing slash).
 */
export async function checkCloudUrl(raw: string, options: UrlGuardOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenCloudUrlError('not a URL', 'invalid');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ForbiddenCloudUrlError('must be http or https', 'invalid');
  if (url.username !== '' || url.password !== '')
    throw new ForbiddenCloudUrlError(
      'must not carry a user name or password: give them in their own fields',
      'invalid',
    );
  if (url.search !== '' || url.hash !== '')
    throw new ForbiddenCloudUrlError('must not have a query or fragment', 'invalid');
  const host = normalHost(url.hostname);
  if (!options.allowPrivateHosts && options.ownHosts.map(normalHost).includes(host))
    throw new ForbiddenCloudUrlError('must not point at this service');
  await assertHostAllowed(host, options.allowPrivateHosts);
  return url.href.replace(/\/+$/, '');
}

/** Resolution is bounded: a name server that never answers must not hold a request. */
const LOOKUP_TIMEOUT_MS = 5_000;

async function assertHostAllowed(host: string, allowPrivateHosts: boolean): Promise<void> {
  let addresses: LookupAddress[];
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        lookupAll(host, { all: true, verbatim: true }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS);
        }),
      ]);
    } catch {
      throw new ForbiddenCloudUrlError('its host name does not resolve', 'invalid');
    } finally {
      clearTimeout(timer);
    }
  }
  if (addresses.length === 0) throw new ForbiddenCloudUrlError('its host name does not resolve', 'invalid');
  if (!allowPrivateHosts && addresses.some((entry) => isForbiddenAddress(entry.address)))
    throw new ForbiddenCloudUrlError('resolves to a loopback, private or link-local address');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for sockets: resolves as usual, then refuses the connection when any address is forbidden. */
function guardedLookup(allowPrivateHosts: boolean) {
  return (hostname: string, options: object, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      if (!allowPrivateHosts && list.some((entry) => isForbiddenAddress(entry.address))) {
        const refused: NodeJS.ErrnoException = new ForbiddenCloudUrlError(
          'resolves to a loopback, private or link-local address',
        );
        refused.code = 'EVEZAFORBIDDEN';
        return callback(refused, []);
      }
      const all = (options as { all?: boolean }).all === true;
      if (all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
}

type ConnectionCallback = (error: Error | null, socket?: unknown) => void;

/**
 * Node skips `lookup` when the host is an address literal (a redirect to http://169.254.169.254/): such hosts are
 * checked here, before the socket exists.
 */
function refusesLiteral(allowPrivateHosts: boolean, options: { host?: string | null }, callback: ConnectionCallback) {
  const host = normalHost(options.host ?? '');
  if (allowPrivateHosts || isIP(host) === 0 || !isForbiddenAddress(host)) return false;
  const refused: NodeJS.ErrnoException = new ForbiddenCloudUrlError(
    'resolves to a loopback, private or link-local address',
  );
  refused.code = 'EVEZAFORBIDDEN';
  callback(refused);
  return true;
}

class GuardedHttpAgent extends HttpAgent {
  readonly #allowPrivateHosts: boolean;
  constructor(allowPrivateHosts: boolean) {
    super({ keepAlive: false, lookup: guardedLookup(allowPrivateHosts) as unknown as typeof dnsLookup });
    this.#allowPrivateHosts = allowPrivateHosts;
  }
  override createConnection(...args: Parameters<HttpAgent['createConnection']>) {
    const [options, callback] = args as unknown as [{ host?: string }, ConnectionCallback];
    if (refusesLiteral(this.#allowPrivateHosts, options, callback)) return undefined as never;
    return super.createConnection(...args);
  }
}

class GuardedHttpsAgent extends HttpsAgent {
  readonly #allowPrivateHosts: boolean;
  constructor(allowPrivateHosts: boolean) {
    super({ keepAlive: false, lookup: guardedLookup(allowPrivateHosts) as unknown as typeof dnsLookup });
    this.#allowPrivateHosts = allowPrivateHosts;
  }
  override createConnection(...args: Parameters<HttpsAgent['createConnection']>) {
    const [options, callback] = args as unknown as [{ host?: string }, ConnectionCallback];
    if (refusesLiteral(this.#allowPrivateHosts, options, callback)) return undefined as never;
    return super.createConnection(...args);
  }
}

/** HTTP(S) agents whose every connection goes through the address check (redirects and re-resolutions included). */
export function guardedAgents(allowPrivateHosts: boolean): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  return { httpAgent: new GuardedHttpAgent(allowPrivateHosts), httpsAgent: new GuardedHttpsAgent(allowPrivateHosts) };
}
