// Shared by the upload tests of both storage backends: a listening app, media made on the spot, tus-js-client.
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import * as tus from 'tus-js-client';

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A valid 16-bit stereo PCM WAV of about `bytes` bytes, its samples random (noise). */
export function wav(bytes: number): Buffer {
  const dataLength = Math.max(4, (bytes - 44) & ~3);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(44_100, 24);
  header.writeUInt32LE(44_100 * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataLength, 40);
  return Buffer.concat([header, randomBytes(dataLength)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of width x height random pixels. */
export function png(width = 8, height = 8): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.concat(
    Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)])),
  );
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface TusResult {
  uploadUrl: string;
  fileId: string | null;
}

/**
 * Uploads with tus-js-client in chunks, stopping the first attempt once `cutAt` bytes are acknowledged, then
 * resuming with a fresh client from the offset the server reports. Returns the first offset the resumed
 * client sent from, which must be where the server said it stood.
 */
export async function tusUpload(
  endpoint: string,
  authorization: string,
  bytes: Buffer,
  metadata: Record<string, string>,
  options: { cutAt?: number; chunkSize?: number } = {},
): Promise<TusResult & { resumedFrom: number | null }> {
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const common = { endpoint, metadata, chunkSize, headers: { Authorization: authorization }, retryDelays: [] };
  let uploadUrl: string | null = null;
  if (options.cutAt !== undefined) {
    const cutAt = options.cutAt;
    uploadUrl = await new Promise<string>((resolve, reject) => {
      const upload: tus.Upload = new tus.Upload(bytes, {
        ...common,
        onChunkComplete: (_chunk, accepted) => {
          if (accepted >= cutAt) {
            // Like a dropped connection: the client goes away mid-upload.
            void upload.abort().then(() => resolve(upload.url as string), reject);
          }
        },
        onError: reject,
        onSuccess: () => reject(new Error('the first attempt was meant to be cut off')),
      });
      upload.start();
    });
  }
  let resumedFrom: number | null = null;
  const fileId = await new Promise<string | null>((resolve, reject) => {
    const upload = new tus.Upload(bytes, {
      ...common,
      ...(uploadUrl !== null ? { uploadUrl } : {}),
      onProgress: (sent) => {
        resumedFrom ??= sent;
      },
      onBeforeRequest: (request) => {
        if (request.getMethod() === 'PATCH' && resumedFrom === null) {
          resumedFrom = Number(request.getHeader('Upload-Offset'));
        }
      },
      onError: reject,
      onSuccess: ({ lastResponse }) => {
        uploadUrl = upload.url;
        resolve(lastResponse.getHeader('Veza-File-Id') ?? null);
      },
    });
    upload.start();
  });
  return { uploadUrl: uploadUrl as unknown as string, fileId, resumedFrom };
}

export const tusHeaders = (authorization: string, extra: Record<string, string> = {}): Record<string, string> => ({
  authorization,
  'tus-resumable': '1.0.0',
  ...extra,
});

/** Upload-Metadata as tus encodes it. */
export const tusMetadata = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
