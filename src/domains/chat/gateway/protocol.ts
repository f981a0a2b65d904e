// The WebSocket protocol of GET /v1/chat/socket (issue 14 §4, ADR 0055): the frames a client may send, the frames
// the server sends, the close codes and the limits. Client frames are JSON text frames checked against these
// TypeBox schemas; anything else earns an error frame (or, for a frame over the size limit, close 1009).
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
/** A seq as a decimal string (BIGINT does not fit a JSON number exactly). */
const Seq = Type.String({ pattern: '^(0|[1-9][0-9]{0,18})$', maxLength: 19 });
/** An access token: a JWT, never longer than this. */
const Token = Type.String({ minLength: 1, maxLength: 4096, pattern: '^[A-Za-z0-9._~+/-]+=*$' });

export const AuthFrame = Type.Object(
  {
    type: Type.Literal('auth'),
    token: Token,
    /** Last seq seen of the caller's personal scope: replay what came after it. */
    since: Type.Optional(Seq),
  },
  closed,
);

export const SubscribeFrame = Type.Object(
  {
    type: Type.Literal('subscribe'),
    /** The room to follow; absent: the caller's personal scope (direct messages, personal events). */
    room_id: Type.Optional(Uuid),
    /** Last seq the client saw of this scope: everything after it is replayed before live events. */
    since: Type.Optional(Seq),
  },
  closed,
);

export const UnsubscribeFrame = Type.Object({ type: Type.Literal('unsubscribe'), room_id: Uuid }, closed);

/** Application-level keepalive for clients that cannot send WebSocket pings (browsers): answered by a pong frame. */
export const PingFrame = Type.Object({ type: Type.Literal('ping') }, closed);

export const ClientFrame = Type.Union([AuthFrame, SubscribeFrame, UnsubscribeFrame, PingFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

const checkers = {
  auth: Compile(AuthFrame),
  subscribe: Compile(SubscribeFrame),
  unsubscribe: Compile(UnsubscribeFrame),
  ping: Compile(PingFrame),
} as const;

export type FrameType = keyof typeof checkers;

/** Error codes of error frames; each comes with a human `message` and, for invalid fields, the field's path. */
export const ErrorCodes = {
  malformedJson: 'MALFORMED_JSON',
  binaryFrame: 'BINARY_FRAME',
  unknownType: 'UNKNOWN_FRAME_TYPE',
  invalidFrame: 'INVALID_FRAME',
  notAuthenticated: 'NOT_AUTHENTICATED',
  alreadyAuthenticated: 'ALREADY_AUTHENTICATED',
  roomNotFound: 'ROOM_NOT_FOUND',
  tooManySubscriptions: 'TOO_MANY_SUBSCRIPTIONS',
  rateLimited: 'RATE_LIMITED',
  tokenMismatch: 'TOKEN_ACCOUNT_MISMATCH',
  /** The database could not answer in time: nothing was done, send the frame again a little later. */
  unavailable: 'TEMPORARILY_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Close codes (RFC 6455 §7.4: 4000-4999 are ours). */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  /** The frame exceeded maxFrameBytes (sent by the ws library itself). */
  tooBig: 1009,
  /** No auth within authTimeoutMs, a token that does not authenticate, an expired token not renewed in time,
   *  or an account logged out everywhere, banned or deleted. The client must sign in again. */
  unauthenticated: 4401,
  /** The client reads too slowly: its send buffer passed maxBufferedBytes. Reconnect and resume. */
  slowConsumer: 4008,
  /** The client kept sending past its rate limit. */
  rateLimited: 4029,
  /** No pong to a ping within one heartbeat interval. */
  deadPeer: 4000,
  /** The failure was on our side; nothing the client sent was wrong. */
  internalError: 1011,
  /** Authentication could not be checked now (the database did not answer): reconnect in a moment. */
  tryAgainLater: 1013,
} as const;

/** The limits of one connection (ADR 0055); tests shrink some of them. */
export interface GatewayLimits {
  /** Largest frame accepted from a client, in bytes; past it the connection closes with 1009. */
  maxFrameBytes: number;
  /** Bytes queued for a client that does not read; past it the connection closes with 4008. */
  maxBufferedBytes: number;
  /** Time to authenticate after connecting. */
  authTimeoutMs: number;
  /** Interval of WebSocket pings; a peer that has not answered the previous one is terminated. */
  heartbeatMs: number;
  /** Interval at which the account behind a connection is checked again (logged out, banned, deleted). */
  accountCheckMs: number;
  /** Rooms one connection may follow at once. */
  maxSubscriptions: number;
  /** Frames per second a user may send (over all their connections on an instance), and the burst allowed. */
  framesPerSecond: number;
  frameBurst: number;
  /** Frames refused for the rate in a row before the connection is closed with 4029. */
  rateLimitStrikes: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxFrameBytes: 16 * 1024,
  maxBufferedBytes: 1024 * 1024,
  authTimeoutMs: 10_000,
  heartbeatMs: 25_000,
  accountCheckMs: 30_000,
  maxSubscriptions: 200,
  framesPerSecond: 10,
  frameBurst: 30,
  rateLimitStrikes: 50,
};

export type ParsedFrame =
  { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string; field?: string };

/** Parses one text frame: JSON, an object with a known `type`, valid against that type's schema. */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCodes.malformedJson, message: 'The frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, code: ErrorCodes.invalidFrame, message: 'A frame is a JSON object with a "type"' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type))
    return {
      ok: false,
      code: ErrorCodes.unknownType,
      message: `Unknown frame type; expected one of ${Object.keys(checkers).join(', ')}`,
      field: 'type',
    };
  const checker = checkers[type as FrameType];
  if (checker.Check(value)) return { ok: true, frame: value };
  const first = [...checker.Errors(value)].find((error) => error.keyword !== 'boolean');
  const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined;
  const extra = first?.keyword === 'additionalProperties' ? ` (${JSON.stringify(first.params)})` : '';
  return {
    ok: false,
    code: ErrorCodes.invalidFrame,
    message: `Invalid ${type} frame: ${field ?? 'frame'} ${first?.message ?? 'is invalid'}${extra}`,
    ...(field ? { field } : {}),
  };
}

/** Subprotocol a client offers alongside `veza.bearer.<token>`; the server selects it, never the token. */
export const SUBPROTOCOL = 'veza.v1';
export const BEARER_SUBPROTOCOL_PREFIX = 'veza.bearer.';

/** The token of a `veza.bearer.<token>` subprotocol among those offered, if any. */
export function bearerFromProtocols(protocols: Iterable<string>): string | undefined {
  for (const protocol of protocols) {
    if (protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
      const token = protocol.slice(BEARER_SUBPROTOCOL_PREFIX.length);
      if (token.length > 0 && token.length <= 4096) return token;
    }
  }
  return undefined;
}
