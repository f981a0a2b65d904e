// Resumable uploads (tus 1.0 at /v1/uploads, through @tus/server) and the one-request multipart image upload.
// Our checks run before tus sees a request: who may touch which upload, size and quota before any byte, the
// checksum of a chunk before it joins the upload. tus's plain-text errors are turned into problem details.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { FileStore } from '@tus/file-store';
import { Server as TusServer, type Upload } from '@tus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireCaller } from '../../platform/http/caller.ts';
import { ApiError, CommonProblems, type ProblemField, type ProblemType } from '../../platform/http/problem.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import { FilesProblems } from './files.errors.ts';
import type { UploadPurpose } from './upload-content.ts';
import type { UploadsService } from './uploads.service.ts';

const TUS_PATH = '/v1/uploads';
const UploadParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** What our checks established about a request, for the tus hooks that run inside the same request. */
interface Checked {
  userId: string;
  filename?: string;
  purpose?: UploadPurpose;
}

/** Upload-Metadata: comma-separated `key base64value` pairs (tus 1.0 "creation"). */
function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return metadata;
  for (const pair of header.split(',')) {
    const [key, value, extra] = pair.trim().split(' ');
    if (
      !key ||
      extra !== undefined ||
      (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) ||
      key in metadata
    ) {
      throw new ApiError(
        FilesProblems.invalidUploadMetadata,
        'Upload-Metadata is not comma-separated "key base64" pairs',
        [
          {
            field: 'headers.upload-metadata',
            rule: 'format',
            message: 'comma-separated "key base64value" pairs, keys unique',
          },
        ],
      );
    }
    metadata[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return metadata;
}

function declaredLength(header: string | undefined): number {
  if (header === undefined || !/^\d{1,16}$/.test(header) || !Number.isSafeInteger(Number(header))) {
    throw new ApiError(CommonProblems.validationFailed, 'Upload-Length must be the size of the file in bytes', [
      {
        field: 'headers.upload-length',
        rule: header === undefined ? 'required' : 'format',
        message: 'a non-negative integer; deferred lengths are not supported',
      },
    ]);
  }
  return Number(header);
}

/** tus's own refusals, by status, as our catalogue names them. */
const TUS_STATUS_PROBLEMS: Record<number, ProblemType> = {
  400: CommonProblems.validationFailed,
  403: CommonProblems.validationFailed,
  404: FilesProblems.uploadNotFound,
  409: FilesProblems.uploadOffsetMismatch,
  410: FilesProblems.uploadExpired,
  412: CommonProblems.validationFailed,
  413: FilesProblems.uploadTooLong,
  // What is left of tus's 500s is a lock wait that timed out: the client should ask HEAD and retry.
  500: FilesProblems.uploadLocked,
};

const CHECKSUM_ALGORITHMS: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', md5: 'md5' };

/** How a tus hook refuses: @tus/server answers with this status and body (relay turns it into a problem). */
class TusRefusal extends Error {
  readonly status_code: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(body);
    this.status_code = status;
    this.body = body;
  }

  /** Carries one of our problems through tus, for relay to restore (code, detail and field errors). */
  static of(error: ApiError): TusRefusal {
    return new TusRefusal(
      error.status,
      JSON.stringify({ code: error.code, detail: error.message, errors: error.errors }),
    );
  }
}

interface TusAnswer {
  status: number;
  headers: Headers;
  text: string;
}

class StagedChunk {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
}

/**
 * A chunk carrying Upload-Checksum is written aside and hashed first; only a matching chunk is handed to tus,
 * so a corrupted chunk never becomes part of the upload (tus checksum extension, status 460).
 */
async function verifiedChunk(request: FastifyRequest, stagingDir: string): Promise<StagedChunk | null> {
  const header = request.headers['upload-checksum'];
  if (header === undefined) return null;
  const [name, digest, extra] = String(header).split(' ');
  const algorithm = name === undefined ? undefined : CHECKSUM_ALGORITHMS[name];
  if (!algorithm || !digest || extra !== undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(digest)) {
    throw new ApiError(CommonProblems.validationFailed, 'Upload-Checksum must be "<algorithm> <base64 digest>"', [
      { field: 'headers.upload-checksum', rule: 'format', message: 'algorithm one of sha1, sha256, md5' },
    ]);
  }
  const path = join(stagingDir, `.chunk-${randomUUID()}`);
  const hash = createHash(algorithm);
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(request.body as Readable, hashing, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  if (hash.digest('base64') !== digest) {
    await rm(path, { force: true });
    throw new ApiError(FilesProblems.checksumMismatch, `The ${name} digest of the chunk is not ${digest}`);
  }
  return new StagedChunk(path);
}

export function registerUploadsRoutes(app: FastifyInstance, service: UploadsService, stagingDir: string): void {
  const checked = new WeakMap<Request, Checked>();
  const failures = new WeakMap<Request, Error>();
  const store = new FileStore({
    directory: stagingDir,
    expirationPeriodInMilliseconds: service.config.uploadExpiryHours * 3_600_000,
  });
  // Advertised in OPTIONS: verified by verifiedChunk before tus sees the bytes.
  store.extensions.push('checksum');

  const tus = new TusServer({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    maxSize: service.config.maxBytes,
    exposedHeaders: ['Veza-File-Id'],
    namingFunction: () => randomUUID(),
    // Our own failures inside tus (a database outage…) are kept, so relay can rethrow them to the error handler.
    onResponseError(request, error) {
      if (error instanceof Error && !(error instanceof TusRefusal) && !('status_code' in error)) {
        failures.set(request, error);
      }
      return undefined;
    },
    async onUploadCreate(request, upload) {
      const check = checked.get(request);
      if (!check?.purpose || check.filename === undefined) throw new TusRefusal(400, 'Unchecked upload');
      try {
        await service.openUpload({
          id: upload.id,
          userId: check.userId,
          length: upload.size ?? 0,
          filename: check.filename,
          purpose: check.purpose,
          stagingKey: upload.id,
        });
      } catch (error) {
        if (error instanceof ApiError) throw TusRefusal.of(error);
        throw error;
      }
      return {};
    },
    async onUploadFinish(request, upload: Upload) {
      const check = checked.get(request);
      const stagedPath = join(stagingDir, upload.id);
      try {
        const stored = await service.storeStaged({
          uploadId: upload.id,
          userId: check?.userId ?? '',
          stagedPath,
          originalFilename: upload.metadata?.filename ?? 'file',
          purpose: (upload.metadata?.purpose ?? 'attachment') as UploadPurpose,
          expectedSize: upload.size ?? null,
        });
        return { headers: { 'Veza-File-Id': stored.id } };
      } catch (error) {
        if (error instanceof ApiError) throw TusRefusal.of(error);
        throw error;
      } finally {
        // The staged copy is done with either way: stored, or refused (the row says failed).
        await store.remove(upload.id).catch(() => undefined);
      }
    },
  });

  /** Hands a checked request to tus and relays its answer; tus errors become problem details. */
  async function relay(
    request: FastifyRequest,
    reply: FastifyReply,
    check: Checked,
    body?: Readable,
  ): Promise<TusAnswer> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const source = body ?? (request.body instanceof Readable ? request.body : undefined);
    // `duplex: 'half'` is what lets a request body be a stream; the DOM typings do not know it yet.
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers };
    if (source) {
      init.body = Readable.toWeb(source) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    const webRequest = new Request(`http://${request.host}${request.url}`, init);
    checked.set(webRequest, check);
    const response = await tus.handleWeb(webRequest);
    const text = await response.text();
    const failure = failures.get(webRequest);
    if (failure) throw failure;
    if (response.status >= 400) {
      // Refused before the whole body was read: closing is the only way to stop the client sending the rest.
      if (response.headers.get('connection') === 'close' || (source !== undefined && !source.readableEnded)) {
        void reply.header('connection', 'close');
      }
      let parsed: { code?: string; detail?: string; errors?: ProblemField[] } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        parsed = { detail: text.trim() };
      }
      const known = Object.values({ ...FilesProblems, ...CommonProblems }).find((type) => type.code === parsed.code);
      const type = known ?? TUS_STATUS_PROBLEMS[response.status] ?? CommonProblems.internal;
      throw new ApiError(type, parsed.detail, parsed.errors);
    }
    return { status: response.status, headers: response.headers, text };
  }

  /** Sent only once our own bookkeeping is done, so a client never sees a state the database does not yet hold. */
  async function answer(reply: FastifyReply, result: TusAnswer): Promise<void> {
    result.headers.forEach((value, name) => {
      if (name !== 'content-length') void reply.header(name, value);
    });
    await reply.code(result.status).send(result.text === '' ? undefined : result.text);
  }

  // tus PATCH bodies are raw bytes: leave the stream unread for tus (or the checksum check) to consume.
  app.addContentTypeParser('application/offset+octet-stream', (_request, payload, done) => done(null, payload));
  void mkdir(stagingDir, { recursive: true });
  // A refusal sent before the raw body was read (404, 410, 413 …): closing is the only way to stop the client
  // sending the rest, and a half-read connection must not be reused or keep the server from shutting down.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && request.body instanceof Readable && !request.body.readableEnded) {
      void reply.header('connection', 'close');
    }
    return payload;
  });

  app.post(
    '/uploads',
    {
      onRequest: signedIn,
      schema: {
        summary: 'Start a resumable upload (tus 1.0 creation, creation-with-upload)',
        description:
          'Headers: Tus-Resumable: 1.0.0, Upload-Length, Upload-Metadata with filename and purpose ' +
          '(track, cover, avatar, product, attachment). The type is taken from the bytes, not from any header.',
        tags: ['files'],
        security: AUTHENTICATED,
        response: { 201: NoContent, 204: NoContent, ...problems(400, 401, 409, 413, 415, 460) },
      },
    },
    async (request, reply) => {
      const caller = requireCaller(request);
      const length = declaredLength(request.headers['upload-length'] as string | undefined);
      const metadata = parseUploadMetadata(request.headers['upload-metadata'] as string | undefined);
      const purpose = service.parsePurpose(metadata.purpose, 'headers.upload-metadata.purpose');
      if (!metadata.filename) {
        throw new ApiError(FilesProblems.invalidUploadMetadata, 'Name the file', [
          { field: 'headers.upload-metadata.filename', rule: 'required', message: 'the original file name' },
        ]);
      }
      await service.assertRoomFor(caller.userId, length, 'headers.upload-length');
      const result = await relay(request, reply, { userId: caller.userId, filename: metadata.filename, purpose });
      // creation-with-upload: the first bytes came with the POST.
      const offset = Number(result.headers.get('upload-offset'));
      const id = result.headers.get('location')?.split('/').pop();
      if (id && offset > 0 && !result.headers.has('veza-file-id')) await service.recordProgress(id, offset);
      await answer(reply, result);
    },
  );

  app.route({
    method: ['HEAD', 'PATCH', 'DELETE'],
    url: '/uploads/:id',
    onRequest: signedIn,
    // tus's HEAD (where does this upload stand?) has no GET twin, so it is documented on its own.
    config: { swagger: { exposeHeadRoute: true } },
    schema: {
      summary: 'Resume (HEAD for the offset, PATCH the next bytes) or terminate (DELETE) a resumable upload',
      tags: ['files'],
      security: AUTHENTICATED,
      params: UploadParams,
      response: { 200: NoContent, 204: NoContent, ...problems(400, 401, 404, 409, 410, 413, 415, 423, 460) },
    },
    handler: async (request, reply) => {
      const caller = requireCaller(request);
      const { id } = request.params as { id: string };
      const upload = await service.findOwnUpload(caller.userId, id);
      if (upload.status === 'completed' || upload.status === 'failed') {
        if (request.method !== 'HEAD') {
          throw new ApiError(
            CommonProblems.conflict,
            `The upload has ${upload.status === 'completed' ? 'completed' : 'failed'}`,
          );
        }
      } else if (upload.expires_at.getTime() <= Date.now()) {
        throw new ApiError(FilesProblems.uploadExpired);
      }
      if (request.method === 'DELETE') {
        const result = await relay(request, reply, { userId: caller.userId });
        await service.forgetUpload(id);
        await answer(reply, result);
        return;
      }
      if (request.method === 'HEAD' && upload.status === 'failed') {
        throw new ApiError(CommonProblems.conflict, 'The upload has failed');
      }
      if (request.method === 'HEAD' && upload.status === 'completed') {
        // tus has forgotten a finished upload; the row still answers a client asking where it stands.
        void reply.header('Tus-Resumable', '1.0.0').header('Cache-Control', 'no-store');
        void reply
          .header('Upload-Offset', String(upload.bytes_uploaded))
          .header('Upload-Length', String(upload.file_size));
        await reply.code(200).send();
        return;
      }
      const staged = request.method === 'PATCH' ? await verifiedChunk(request, stagingDir) : null;
      let result: TusAnswer;
      try {
        result = await relay(
          request,
          reply,
          { userId: caller.userId },
          staged ? createReadStream(staged.path) : undefined,
        );
      } finally {
        if (staged) await rm(staged.path, { force: true });
      }
      const offset = Number(result.headers.get('upload-offset'));
      if (request.method === 'PATCH' && Number.isSafeInteger(offset) && !result.headers.has('veza-file-id')) {
        await service.recordProgress(id, offset);
      }
      await answer(reply, result);
    },
  });

  // Small images in one request (issue 12 §2): the same checks and the same path to a files row as tus.
  const StoredFileSchema = Type.Object({
    id: Type.String({ format: 'uuid' }),
    mime_type: Type.String(),
    file_size: Type.Integer(),
    file_hash: Type.String({ description: 'SHA-256 of the stored bytes, hex' }),
    original_filename: Type.String(),
  });
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: service.config.imageMaxBytes, files: 1, fields: 0, parts: 1 },
    });
    scope.post(
      '/files',
      {
        onRequest: signedIn,
        schema: {
          summary: 'Upload one image (cover, avatar or attachment) as multipart/form-data',
          tags: ['files'],
          security: AUTHENTICATED,
          querystring: Type.Object(
            { purpose: Type.Union([Type.Literal('cover'), Type.Literal('avatar'), Type.Literal('attachment')]) },
            { additionalProperties: false },
          ),
          response: { 201: StoredFileSchema, ...problems(400, 401, 406, 413, 415) },
        },
      },
      async (request, reply) => {
        const caller = requireCaller(request);
        const { purpose } = request.query as { purpose: UploadPurpose };
        if (!request.isMultipart()) {
          throw new ApiError(CommonProblems.unsupportedMediaType, 'Send the image as multipart/form-data');
        }
        const part = await request.file();
        if (!part) {
          throw new ApiError(CommonProblems.validationFailed, 'No file in the form', [
            { field: 'body.file', rule: 'required', message: 'one file part' },
          ]);
        }
        const stagedPath = join(stagingDir, `.form-${randomUUID()}`);
        try {
          await pipeline(part.file, createWriteStream(stagedPath));
          if (part.file.truncated) {
            throw new ApiError(
              FilesProblems.fileTooLarge,
              `Images sent in one request are at most ${service.config.imageMaxBytes} bytes`,
            );
          }
          const size = part.file.bytesRead;
          await service.assertRoomFor(caller.userId, size, 'body.file');
          const stored = await service.storeStaged({
            uploadId: null,
            userId: caller.userId,
            stagedPath,
            originalFilename: part.filename,
            purpose,
            expectedSize: size,
          });
          // Images are the only multipart purpose: a sound file sent here is refused by the allow-list
          // of cover/avatar, and attachment images are checked the same way below.
          return reply.code(201).send(stored);
        } finally {
          await rm(stagedPath, { force: true });
        }
      },
    );
  });
}
