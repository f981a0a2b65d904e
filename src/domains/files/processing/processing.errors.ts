/**
 * A failure that retrying cannot fix (damaged, truncated or disguised content). Its message is written for the
 * file's owner and stored in files.processing_error; the job ends without a retry.
 */
export class PermanentProcessingError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'PermanentProcessingError';
  }
}
