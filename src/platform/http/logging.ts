import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';

/** Credentials never reach the logs: the headers that carry them and any field that could hold a secret. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.app_password',
  '*.token',
  '*.refresh_token',
  '*.access_token',
  '*.totp_code',
  '*.mfa_token',
  '*.secret',
  '*.otpauth_uri',
  '*.backup_codes',
  '*.registration_token',
];

/**
 * How long buffered lines may wait when traffic is too light to fill the buffer. A line is at most this late,
 * never lost on a clean exit: pino writes what is left synchronously when the process exits.
 */
const FLUSH_INTERVAL_MS = 250;
/** Bytes gathered before a write: some ten request lines per system call under load (ADR 0030). */
const BUFFER_BYTES = 2048;
/**
 * The most one write carries, always whole lines: PIPE_BUF on Linux, so that the lines of several cluster workers
 * sharing a pipe never interleave inside a line.
 */
const MAX_WRITE_BYTES = 4096;

export interface HttpLogger {
  logger: Logger;
  /**
   * The same destination and level without redaction, for the request lines only: they are built here from
   * known fields, and matching the redaction's wildcard paths against each of them showed in the profile.
   */
  requestLines: Logger;
  /** Writes what is buffered and resolves when it is out (app close). */
  flush(): Promise<void>;
}

/**
 * pino for the HTTP server, writing to stdout through a buffered, asynchronous destination: a synchronous
 * write per line cost a third of the CPU of an authenticated read at the info level (ADR 0030). `destination`
 * replaces stdout (tests read the lines from it).
 */
export function createHttpLogger(level: string, destination?: DestinationStream): HttpLogger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  const done = () => Promise.resolve();
  if (destination)
    return { logger: pino(options, destination), requestLines: pino({ level }, destination), flush: done };
  if (level === 'silent') return { logger: pino(options), requestLines: pino({ level }), flush: done };

  const stdout = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES, maxWrite: MAX_WRITE_BYTES });
  const timer = setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS);
  timer.unref();
  return {
    logger: pino(options, stdout),
    requestLines: pino({ level }, stdout),
    flush: () =>
      new Promise((resolve) => {
        clearInterval(timer);
        // A failed fsync (stdout is a pipe) is no reason to hold up the shutdown; the lines were written.
        stdout.flush(() => resolve());
      }),
  };
}

/**
 * Query parameters whose values are secrets, or one-time proofs worth stealing: OAuth/OIDC callback codes and
 * state, tokens of mailed links, signatures of signed URLs. Compared case-insensitively.
 */
const SECRET_QUERY_PARAMETERS = new Set([
  'token',
  'code',
  'state',
  'access_token',
  'refresh_token',
  'id_token',
  'mfa_token',
  'password',
  'secret',
  'client_secret',
  'api_key',
  'key',
  'signature',
  'sig',
  'session_state',
  // The OpenSubsonic API at /rest (ADR 0051): an app password (p), its token and salt (t, s), an API key.
  'p',
  't',
  's',
  'apikey',
]);

/**
 * The query string of a URL as logs may show it: each secret parameter's value replaced by [redacted], the
 * others kept (a cursor or a filter helps to read a log); '' when there is none.
 */
export function redactedQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return '';
  const shown: string[] = [];
  // URLSearchParams decodes leniently (a stray % stays as is), so a hostile query cannot make this throw.
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    const secret = SECRET_QUERY_PARAMETERS.has(name.toLowerCase());
    shown.push(`${encodeURIComponent(name)}=${secret ? '[redacted]' : encodeURIComponent(value)}`);
  }
  return shown.join('&');
}

/**
 * One line per completed request, at info (error when the response failed): method, path, route, status and
 * duration, and the query string with its secret parameters redacted (an OIDC callback's code and state, a
 * mailed link's token). Fastify's default is two lines (arrival and completion), each serialising the request or
 * reply, with the raw URL.
 */
export class OneLinePerRequest extends LogController {
  readonly #info: boolean;
  readonly #lines: Logger;

  /** The level is read once: nothing changes it while the app runs. */
  constructor(httpLogger: HttpLogger) {
    super();
    this.#lines = httpLogger.requestLines;
    this.#info = httpLogger.requestLines.isLevelEnabled('info');
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !this.#info) return;
    const url = request.url;
    const query = url.indexOf('?');
    const line = {
      method: request.method,
      path: query === -1 ? url : url.slice(0, query),
      ...(query === -1 ? {} : { query: redactedQuery(url) }),
      route: request.routeOptions.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    // An error may carry anything: it goes through the redacting logger.
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else this.#lines.info({ reqId: request.id, ...line }, 'request completed');
  }
}

/** Writes out what the logger buffered when the app closes. */
export function flushLogsOnClose(app: FastifyInstance, httpLogger: HttpLogger): void {
  app.addHook('onClose', () => httpLogger.flush());
}
