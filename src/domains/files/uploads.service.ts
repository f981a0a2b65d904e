// Business rules of uploading (issue 12 §2-3): size and quota before any byte is accepted, the type from the
// content, a generated stored name, and a finished upload becoming a `files` row with the SHA-256 of the
// stored bytes. Storage layout and the no-dedupe decision: ADR 0038 and ADR 0039.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FilesConfig } from '../../platform/config/config.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { inspectZipArchive } from './archive-inspection.ts';
import { FilesProblems } from './files.errors.ts';
import type { ObjectStorage } from './storage/object-storage.ts';
import { judgeContent, sanitiseFilename, sniffFile, UPLOAD_PURPOSES, type UploadPurpose } from './upload-content.ts';
import type { UploadsRepository } from './uploads.repository.ts';

export interface UploadsServiceDeps {
  repository: UploadsRepository;
  storage: ObjectStorage;
  config: FilesConfig;
  /** Starts the processing pipeline of a new file (F2's enqueueProcessing). */
  enqueueProcessing: (fileId: string) => Promise<void>;
  log?: { warn: (object: object, message: string) => void };
}

export interface StoredFile {
  id: string;
  mime_type: string;
  file_size: number;
  file_hash: string;
  original_filename: string;
}

/** Where a file's original bytes live: under its owner, so an account's erasure is one prefix (ADR 0038). */
export const originalKey = (userId: string, fileId: string, ext: string): string =>
  `users/${userId}/${fileId}/original.${ext}`;

const field = (name: string, rule: string, message: string) => [{ field: name, rule, message }];

export class UploadsService {
  readonly #deps: UploadsServiceDeps;

  constructor(deps: UploadsServiceDeps) {
    this.#deps = deps;
  }

  get config(): FilesConfig {
    return this.#deps.config;
  }

  parsePurpose(raw: string | undefined | null, fieldName: string): UploadPurpose {
    if (raw === undefined || raw === null || raw === '') {
      throw new ApiError(
        FilesProblems.invalidUploadMetadata,
        'Say what the file is for',
        field(fieldName, 'required', `one of ${UPLOAD_PURPOSES.join(', ')}`),
      );
    }
    if (!(UPLOAD_PURPOSES as readonly string[]).includes(raw)) {
      throw new ApiError(
        FilesProblems.invalidUploadMetadata,
        `Unknown purpose ${JSON.stringify(raw).slice(0, 60)}`,
        field(fieldName, 'enum', `one of ${UPLOAD_PURPOSES.join(', ')}`),
      );
    }
    return raw as UploadPurpose;
  }

  /** Refuses a length over the per-file maximum or the owner's quota, before any byte is read. */
  async assertRoomFor(userId: string, length: number, fieldName: string): Promise<void> {
    if (length === 0) {
      throw new ApiError(
        FilesProblems.emptyFile,
        'A file of zero bytes cannot be uploaded',
        field(fieldName, 'minimum', 'at least 1 byte'),
      );
    }
    const { maxBytes, quotaBytes } = this.#deps.config;
    if (length > maxBytes) {
      throw new ApiError(
        FilesProblems.fileTooLarge,
        `The file is ${length} bytes; the maximum is ${maxBytes}`,
        field(fieldName, 'maximum', `at most ${maxBytes} bytes`),
      );
    }
    const held = await this.#deps.repository.bytesHeldBy(userId);
    if (held + length > quotaBytes) {
      throw new ApiError(
        FilesProblems.quotaExceeded,
        `You hold ${held} of ${quotaBytes} bytes; this file needs ${length} more`,
        field(fieldName, 'quota', `at most ${Math.max(0, quotaBytes - held)} bytes`),
      );
    }
  }

  /** Opens the session row; the quota is checked again here, atomically with the insert (the first check is fast). */
  async openUpload(input: {
    id: string;
    userId: string;
    length: number;
    filename: string;
    purpose: UploadPurpose;
    stagingKey: string;
  }): Promise<void> {
    const opened = await this.#deps.repository.reserveUpload(
      {
        id: input.id,
        userId: input.userId,
        filename: sanitiseFilename(input.filename),
        fileSize: input.length,
        storageKey: input.stagingKey,
        metadata: { purpose: input.purpose },
        expiresAt: new Date(Date.now() + this.#deps.config.uploadExpiryHours * 3_600_000),
      },
      this.#deps.config.quotaBytes,
    );
    if (!opened) {
      throw new ApiError(FilesProblems.quotaExceeded, 'Other uploads took the room this file needs', [
        { field: 'headers.upload-length', rule: 'quota', message: 'within your remaining quota' },
      ]);
    }
  }

  /**
   * Turns bytes staged on local disk into a stored file: sniff, check the purpose's allow-list, copy to the
   * object storage while hashing, then insert the row. Any refusal leaves neither an object nor a row.
   */
  async storeStaged(input: {
    uploadId: string | null;
    userId: string;
    stagedPath: string;
    originalFilename: string;
    purpose: UploadPurpose;
    expectedSize: number | null;
  }): Promise<StoredFile> {
    const { repository, storage } = this.#deps;
    const fail = async (problem: ApiError): Promise<never> => {
      if (input.uploadId !== null) await repository.markUpload(input.uploadId, 'failed');
      throw problem;
    };
    const size = (await stat(input.stagedPath)).size;
    if (size === 0) return fail(new ApiError(FilesProblems.emptyFile, 'The file is empty'));
    if (input.expectedSize !== null && size !== input.expectedSize) {
      return fail(new ApiError(FilesProblems.uploadOffsetMismatch, `Received ${size} of ${input.expectedSize} bytes`));
    }
    const displayName = sanitiseFilename(input.originalFilename);
    const verdict = judgeContent(await sniffFile(input.stagedPath), input.purpose, displayName);
    if (!verdict.ok) {
      const type = verdict.reason === 'mismatch' ? FilesProblems.fileTypeMismatch : FilesProblems.fileTypeNotAllowed;
      return fail(new ApiError(type, verdict.detail));
    }
    if (verdict.mimeType === 'application/zip') {
      // Judged before anything is stored, so a refused archive leaves neither an object nor a row (ADR 0044).
      const archive = await inspectZipArchive(input.stagedPath, this.#deps.config.archives);
      if (!archive.ok) {
        return fail(
          new ApiError(FilesProblems.archiveRefused, archive.detail, [
            { field: 'file', rule: `archive-${archive.rule}`, message: archive.detail },
          ]),
        );
      }
    }
    const fileId = randomUUID();
    const key = originalKey(input.userId, fileId, verdict.ext);
    const written = await storage.put(key, createReadStream(input.stagedPath), { contentType: verdict.mimeType });
    try {
      if (written.size !== size) throw new Error(`Stored ${written.size} bytes of ${size}`);
      await repository.completeUpload(input.uploadId, {
        id: fileId,
        user_id: input.userId,
        filename: `${fileId}.${verdict.ext}`,
        original_filename: displayName,
        mime_type: verdict.mimeType,
        file_size: written.size,
        storage_path: key,
        storage_provider: storage.provider,
        bucket_name: storage.bucket,
        url: `/v1/files/${fileId}/content`,
        file_hash: written.sha256,
        metadata: { purpose: input.purpose },
        is_public: false,
      });
    } catch (error) {
      // Never bytes without a row.
      await storage.delete(key);
      throw error;
    }
    try {
      await this.#deps.enqueueProcessing(fileId);
    } catch (error) {
      // The file is safely stored; the pipeline's recovery sweep picks up files left unprocessed.
      this.#deps.log?.warn({ err: error, fileId }, 'could not queue the processing of a new file');
    }
    return {
      id: fileId,
      mime_type: verdict.mimeType,
      file_size: written.size,
      file_hash: written.sha256,
      original_filename: displayName,
    };
  }

  async findOwnUpload(userId: string, uploadId: string) {
    const upload = await this.#deps.repository.findUpload(uploadId);
    // Someone else's upload reads exactly like a missing one.
    if (!upload || upload.user_id !== userId) throw new ApiError(FilesProblems.uploadNotFound);
    return upload;
  }

  async recordProgress(uploadId: string, offset: number): Promise<void> {
    await this.#deps.repository.recordProgress(uploadId, offset);
  }

  async forgetUpload(uploadId: string): Promise<void> {
    await this.#deps.repository.deleteUpload(uploadId);
  }
}
