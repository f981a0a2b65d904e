// The Subsonic answer envelope (`subsonic-response`) in XML, JSON and JSONP (issue 13 §6, ADR 0052). A call builds
// one tree; this file writes it in the format the client asked for (`f`), so that XML and JSON never disagree.
import { XMLBuilder } from 'fast-xml-parser';

/** The Subsonic REST protocol version served (the last one Subsonic published; OpenSubsonic builds on it). */
export const SUBSONIC_API_VERSION = '1.16.1';
/** `type` and `serverVersion` of the OpenSubsonic envelope. */
export const SERVER_TYPE = 'veza';
export const SERVER_VERSION = '0.1.0';

export type Scalar = string | number | boolean;

/**
 * An element of the answer: scalar fields are XML attributes (JSON properties), nested nodes are child elements
 * (JSON objects), arrays of nodes are repeated child elements (JSON arrays), arrays of scalars are repeated
 * elements holding text (`<versions>1</versions>`, JSON `"versions": [1]`). Undefined fields are left out.
 */
export interface SubsonicNode {
  [field: string]: Scalar | SubsonicNode | SubsonicNode[] | Scalar[] | undefined;
}

export type Format = 'xml' | 'json' | 'jsonp';

export interface Rendered {
  contentType: string;
  body: string;
}

/** Subsonic error codes (OpenSubsonic "error" response). */
export const SubsonicCode = {
  generic: 0,
  missingParameter: 10,
  clientTooOld: 20,
  serverTooOld: 30,
  wrongCredentials: 40,
  tokenAuthNotSupported: 41,
  mechanismNotSupported: 42,
  conflictingMechanisms: 43,
  invalidApiKey: 44,
  notAuthorized: 50,
  notFound: 70,
} as const;
export type SubsonicCodeValue = (typeof SubsonicCode)[keyof typeof SubsonicCode];

/** A call that fails the Subsonic way: `status="failed"` and an `error` element, answered with HTTP 200. */
export class SubsonicError extends Error {
  readonly code: SubsonicCodeValue;
  constructor(code: SubsonicCodeValue, message: string) {
    super(message);
    this.name = 'SubsonicError';
    this.code = code;
  }
}

// XML 1.0 cannot carry C0 controls (but tab, newline, return), lone surrogates, U+FFFE or U+FFFF, even escaped: a
// title holding one would make the whole document unreadable to the player.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const xmlBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

function xmlScalar(value: Scalar): string | number | boolean {
  return typeof value === 'string' ? value.replace(NOT_XML, '\ufffd') : value;
}

/** The tree in fast-xml-parser's builder shape: attributes prefixed with `@`. */
function toXmlShape(node: SubsonicNode): Record<string, unknown> {
  const shaped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      shaped[key] = (value as (Scalar | SubsonicNode)[]).map((item) =>
        typeof item === 'object' ? toXmlShape(item) : xmlScalar(item),
      );
    } else if (typeof value === 'object') shaped[key] = toXmlShape(value);
    else shaped[`@${key}`] = xmlScalar(value);
  }
  return shaped;
}

function envelope(status: 'ok' | 'failed', content: SubsonicNode): SubsonicNode {
  return {
    status,
    version: SUBSONIC_API_VERSION,
    type: SERVER_TYPE,
    serverVersion: SERVER_VERSION,
    openSubsonic: true,
    ...content,
  };
}

/** A JSONP callback name: an identifier path, nothing that could run as script of its own. */
export const JSONP_CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$]{0,63}){0,3}$/;

export function render(format: Format, status: 'ok' | 'failed', content: SubsonicNode, callback?: string): Rendered {
  const tree = envelope(status, content);
  if (format === 'xml') {
    const body = xmlBuilder.build({
      'subsonic-response': { '@xmlns': 'http://subsonic.org/restapi', ...toXmlShape(tree) },
    });
    return { contentType: 'application/xml; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>${body}` };
  }
  const json = JSON.stringify({ 'subsonic-response': tree });
  if (format === 'jsonp' && callback !== undefined && JSONP_CALLBACK.test(callback)) {
    return { contentType: 'application/javascript; charset=utf-8', body: `${callback}(${json});` };
  }
  return { contentType: 'application/json; charset=utf-8', body: json };
}

export function renderError(format: Format, error: SubsonicError, callback?: string): Rendered {
  return render(format, 'failed', { error: { code: error.code, message: error.message } }, callback);
}

/** The format asked for: `f` as the client sent it; anything unknown is XML, Subsonic's default. */
export function formatOf(f: unknown, callback: unknown): Format {
  if (f === 'json') return 'json';
  if (f === 'jsonp') return typeof callback === 'string' && JSONP_CALLBACK.test(callback) ? 'jsonp' : 'json';
  return 'xml';
}
