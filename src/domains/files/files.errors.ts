// Error catalogue of the files domain: stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const FilesProblems = {
  // Uploads (issue 12 §2-3).
  /** The declared or actual size is over the per-file maximum (VEZA_FILES_MAX_BYTES). */
  fileTooLarge: problemType('FILE_TOO_LARGE', 413, 'The file is larger than the maximum allowed'),
  /** Accepting the file would take its owner past their storage quota (VEZA_FILES_QUOTA_BYTES). */
  quotaExceeded: problemType('QUOTA_EXCEEDED', 413, 'The file would exceed your storage quota'),
  emptyFile: problemType('EMPTY_FILE', 400, 'The file is empty'),
  /** The content (magic numbers) is not one of the types allowed for the upload's purpose. */
  fileTypeNotAllowed: problemType('FILE_TYPE_NOT_ALLOWED', 415, 'The content of the file is not allowed here'),
  /** The extension of the name says one kind of file, the content another (a PNG named .mp3). */
  fileTypeMismatch: problemType('FILE_TYPE_MISMATCH', 415, 'The file name does not match its content'),
  /** A ZIP archive over the inspection's bounds, or one that hides what it holds (ADR 0044). */
  archiveRefused: problemType('ARCHIVE_REFUSED', 422, 'The archive cannot be accepted'),
  invalidUploadMetadata: problemType('INVALID_UPLOAD_METADATA', 400, 'The upload metadata is invalid'),
  uploadNotFound: problemType('UPLOAD_NOT_FOUND', 404, 'No such upload'),
  uploadOffsetMismatch: problemType('UPLOAD_OFFSET_MISMATCH', 409, 'The offset does not match the bytes received'),
  uploadLocked: problemType('UPLOAD_LOCKED', 423, 'Another request is writing to this upload'),
  checksumMismatch: problemType('CHECKSUM_MISMATCH', 460, 'The checksum of the chunk does not match'),
  uploadExpired: problemType('UPLOAD_EXPIRED', 410, 'The upload has expired'),
  uploadTooLong: problemType('UPLOAD_LENGTH_EXCEEDED', 413, 'More bytes were sent than the declared length'),

  // Owner API and delivery (issue 12 §5, §7; ADR 0042).
  /** No such file, or one the caller may not know exists (another's private file, deleted, quarantined). */
  fileNotFound: problemType('FILE_NOT_FOUND', 404, 'No such file'),
  /** A signed link whose signature is not ours for this file, or whose expiry has passed. */
  linkInvalid: problemType('SIGNED_LINK_INVALID', 403, 'The signed link is invalid or has expired'),
  /** `expires` without `signature`, or the reverse. */
  linkIncomplete: problemType('SIGNED_LINK_INCOMPLETE', 400, 'A signed link needs both expires and signature'),
  /** The Range header asks for bytes past the end of the file (Content-Range names its size). */
  rangeNotSatisfiable: problemType('RANGE_NOT_SATISFIABLE', 416, 'The requested range is outside the file'),
} as const;
