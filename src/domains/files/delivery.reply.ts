// Copies a delivery answer (delivery.service.ts) onto a Fastify reply: the one place that knows how a 416, a
// missing object and a HEAD are written, for the files routes and for other modules' routes that serve files
// through the bridge (files.bridge.ts), e.g. a track's stream.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../platform/http/problem.ts';
import type { DeliveryAnswer } from './delivery.service.ts';
import { FilesProblems } from './files.errors.ts';
import { ObjectNotFoundError } from './storage/object-storage.ts';

export async function sendDelivery(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: DeliveryAnswer,
  fileId: string,
): Promise<FastifyReply> {
  if (answer.status === 416) {
    // Only the size goes with the problem: the file's own headers (type, length) would describe another body.
    reply.header('content-range', answer.headers['content-range']);
    throw new ApiError(
      FilesProblems.rangeNotSatisfiable,
      `The file has ${answer.headers['content-range']?.slice('bytes */'.length)} bytes`,
      [{ field: 'headers.range', rule: 'satisfiable', message: 'starts past the end of the file' }],
    );
  }
  // The bytes are opened before any header is set, so that a missing object is answered as a clean problem.
  let bytes;
  try {
    bytes = answer.body ? await answer.body() : undefined;
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
    // A row without its bytes is our fault, but the client can only learn that the content is not there;
    // the log line is what tells the operator.
    request.log.error({ err: error, fileId }, 'stored bytes of a live file are missing');
    throw new ApiError(FilesProblems.fileNotFound, 'The content of this file is not available');
  }
  reply.headers(answer.headers).code(answer.status);
  if (bytes !== undefined) return reply.send(bytes);
  // Fastify's HEAD twin of a GET writes Content-Length: 0 for an empty payload but keeps ours for a stream.
  return answer.status === 304 ? reply.send() : reply.send(Readable.from([]));
}
