// File delivery (issue 12 §5, ADR 0042): who may read (files.policy.ts, by bearer token or signed link), which
// bytes (Range, If-Range), whether at all (If-None-Match), and how the answer presents itself to browsers and
// caches. The route only copies the answer onto the reply.
import { Transform, type Readable } from 'node:stream';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import {
  answerRange,
  contentDisposition,
  fileEntityTag,
  notModified,
  rangeStillValid,
  servedInline,
  type ByteRange,
} from './delivery.http.ts';
import { FilesProblems } from './files.errors.ts';
import { filesPolicy } from './files.policy.ts';
import type { FilesRepository } from './files.repository.ts';
import type { ContentQuery } from './files.schemas.ts';
import type { UrlSigner } from './signed-urls.ts';
import type { ObjectStorage } from './storage/object-storage.ts';

/** How long anonymous readers and shared caches keep a public file before asking again (it may turn private). */
export const PUBLIC_MAX_AGE_SECONDS = 300;

export interface DeliveryRequest {
  caller: Caller | null;
  id: string;
  query: ContentQuery;
  headers: { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };
  /** HEAD: the same headers, no bytes read. */
  headOnly: boolean;
  /** Set by another module that admits the caller to this file (files.bridge.ts); absent on /v1/files routes. */
  grant?: DeliveryGrant;
}

/**
 * Another module's admission of the caller to a file it does not own (the rendition of a track anyone may hear,
 * a buyer's download): what the module decided, and how the bytes should present themselves.
 */
export interface DeliveryGrant {
  /** The rule that admits, e.g. `track`. */
  rule: string;
  /** The rule admits anyone, anonymous callers included (filesPolicy's open grants). */
  open: boolean;
  /** Anyone may fetch these bytes through the grant, so shared caches may keep them a while. */
  shareable: boolean;
  /** The name and kind the bytes are served under, instead of the stored file's own (a track's title). */
  disposition?: { kind: 'inline' | 'attachment'; filename: string };
}

export interface DeliveryAnswer {
  status: 200 | 206 | 304 | 416;
  headers: Record<string, string>;
  /** The bytes to send, opened only when there are any. */
  body: (() => Promise<Readable>) | undefined;
}

export interface DeliveryDeps {
  repository: FilesRepository;
  storage: ObjectStorage;
  signer: () => Promise<UrlSigner>;
  production: boolean;
  clock?: () => Date;
}

export class DeliveryService {
  readonly #deps: DeliveryDeps;
  readonly #now: () => Date;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? (() => new Date());
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryAnswer> {
    const { repository, storage, production } = this.#deps;
    const { expires, signature } = request.query;
    const signed = expires !== undefined || signature !== undefined;
    if (signed && (expires === undefined || signature === undefined))
      throw new FilesProblemError('expires and signature go together', 'query.signature');
    const file = await repository.findFile(request.id);

    let cacheControl: string;
    if (signed) {
      const valid = (await this.#deps.signer()).verify(
        request.id,
        { expires: expires ?? 0, signature: signature ?? '' },
        this.#now(),
      );
      if (!valid) authorizeLink();
      authorize(filesPolicy.mayRead(null, file, { production, signedLink: true }), FilesProblems.fileNotFound);
      // A cache may keep it while the link lives, no longer: the link's expiry bounds what was granted.
      const remaining = Math.max(0, (expires ?? 0) - Math.floor(this.#now().getTime() / 1000));
      cacheControl = `${file?.is_public ? 'public' : 'private'}, max-age=${remaining}`;
    } else if (request.grant) {
      const { grant } = request;
      const context = grant.open ? { production, openGrants: [grant.rule] } : { production, grants: [grant.rule] };
      authorize(filesPolicy.mayRead(request.caller, file, context), FilesProblems.fileNotFound);
      cacheControl = grant.shareable ? `public, max-age=${PUBLIC_MAX_AGE_SECONDS}` : 'private, no-cache';
    } else {
      authorize(filesPolicy.mayRead(request.caller, file, { production }), FilesProblems.fileNotFound);
      // Signed-in answers are no-store anyway (personal data: src/platform/http/security.ts).
      cacheControl = file?.is_public ? `public, max-age=${PUBLIC_MAX_AGE_SECONDS}` : 'private, no-cache';
    }
    if (!file) throw new Error('unreachable: the policy refuses a missing file');

    const validators = { etag: fileEntityTag(file), lastModified: file.created_at };
    const shown = request.grant?.disposition;
    // A grant may turn inline media into a download, never an attachment into something a browser renders.
    const kind = servedInline(file.mime_type) && shown?.kind !== 'attachment' ? 'inline' : 'attachment';
    const headers: Record<string, string> = {
      'accept-ranges': 'bytes',
      etag: validators.etag,
      'last-modified': validators.lastModified.toUTCString(),
      'cache-control': cacheControl,
      'content-type': file.mime_type,
      'content-disposition': contentDisposition(kind, shown?.filename ?? file.original_filename),
      // Media of our API origin embedded by the web app's origin (<audio>, <img>): helmet's same-origin default
      // would block them. Uploaded markup still cannot run: it is an attachment, nosniff, under CSP 'none'.
      'cross-origin-resource-policy': 'cross-origin',
    };

    if (notModified(request.headers['if-none-match'], request.headers['if-modified-since'], validators))
      return { status: 304, headers, body: undefined };

    const size = file.file_size;
    const answer = rangeStillValid(request.headers['if-range'], validators)
      ? answerRange(request.headers.range, size)
      : ({ kind: 'full' } as const);
    if (answer.kind === 'unsatisfiable')
      return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: undefined };

    const range: ByteRange | undefined = answer.kind === 'partial' ? answer.range : undefined;
    const length = range ? range.end - range.start + 1 : size;
    headers['content-length'] = String(length);
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    const key = file.storage_path;
    return {
      status: range ? 206 : 200,
      headers,
      body: request.headOnly ? undefined : async () => atMost(await storage.get(key, range), length),
    };
  }
}

/** A signature that is not ours, or expired: 403, the same for both, naming the parameter. */
function authorizeLink(): never {
  throw new FilesProblemError('The link is not valid, or has expired: ask for a new one', 'query.signature', true);
}

class FilesProblemError extends ApiError {
  constructor(message: string, field: string, link = false) {
    super(link ? FilesProblems.linkInvalid : FilesProblems.linkIncomplete, message, [
      { field, rule: link ? 'signature' : 'dependentRequired', message },
    ]);
  }
}

/**
 * Passes at most `length` bytes of `source`: the answer's Content-Length is a promise to the client, and a storage
 * server that sends more than the range asked for (s3rver answers `bytes=0-0` with the whole object) must not
 * turn it into a corrupt response.
 */
function atMost(source: Readable, length: number): Readable {
  let left = length;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (left <= 0) return callback();
      const part = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= part.length;
      callback(null, part);
      if (left <= 0) {
        this.end();
        source.unpipe(this);
        source.destroy();
      }
    },
  });
  source.on('error', (error) => limiter.destroy(error));
  return source.pipe(limiter);
}
