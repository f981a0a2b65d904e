// Every SQL statement of resumable and multipart uploads: file_uploads sessions and the files rows they become.
import { sql } from 'kysely';
import type { Database, Pool } from '../../platform/db/pool.ts';

export interface UploadRow {
  id: string;
  user_id: string;
  filename: string;
  file_size: number;
  bytes_uploaded: number;
  status: string;
  storage_key: string | null;
  metadata: unknown;
  expires_at: Date;
}

export interface NewFileRow {
  id: string;
  user_id: string;
  filename: string;
  original_filename: string;
  mime_type: string;
  file_size: number;
  storage_path: string;
  storage_provider: 'local' | 's3';
  bucket_name: string | null;
  url: string;
  file_hash: string;
  metadata: Record<string, unknown>;
  is_public: boolean;
}

export type UploadsRepository = ReturnType<typeof createUploadsRepository>;

export function createUploadsRepository(pool: Pool) {
  const db: Database = pool.db;
  return {
    /** Bytes the person holds or has reserved: live files plus the declared length of unfinished uploads. */
    async bytesHeldBy(userId: string): Promise<number> {
      const row = await sql<{ total: string }>`
        SELECT (SELECT COALESCE(SUM(file_size), 0) FROM files WHERE user_id = ${userId} AND deleted_at IS NULL)
             + (SELECT COALESCE(SUM(file_size), 0) FROM file_uploads
                 WHERE user_id = ${userId} AND status IN ('pending', 'uploading') AND expires_at > now()) AS total
      `.execute(db);
      return Number(row.rows[0]?.total ?? 0);
    },

    /**
     * Opens an upload session if the owner's quota still has room for its declared length. The check and the
     * insert hold a per-owner lock together, so two uploads started side by side cannot both squeeze under it.
     * Returns false (and opens nothing) when the quota would be exceeded.
     */
    async reserveUpload(
      upload: {
        id: string;
        userId: string;
        filename: string;
        fileSize: number;
        storageKey: string;
        metadata: Record<string, unknown>;
        expiresAt: Date;
      },
      quotaBytes: number,
    ): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`veza.files.quota:${upload.userId}`}, 0))`.execute(
          trx,
        );
        const held = await sql<{ total: string }>`
          SELECT (SELECT COALESCE(SUM(file_size), 0) FROM files WHERE user_id = ${upload.userId} AND deleted_at IS NULL)
               + (SELECT COALESCE(SUM(file_size), 0) FROM file_uploads
                   WHERE user_id = ${upload.userId} AND status IN ('pending', 'uploading') AND expires_at > now()) AS total
        `.execute(trx);
        if (Number(held.rows[0]?.total ?? 0) + upload.fileSize > quotaBytes) return false;
        await trx
          .insertInto('file_uploads')
          .values({
            id: upload.id,
            user_id: upload.userId,
            filename: upload.filename,
            file_size: upload.fileSize,
            // Unknown until the bytes are in and sniffed; the client's claim is never recorded as the type.
            mime_type: 'application/octet-stream',
            status: 'pending',
            storage_key: upload.storageKey,
            metadata: JSON.stringify(upload.metadata),
            expires_at: upload.expiresAt,
          })
          .execute();
        return true;
      });
    },

    async findUpload(id: string): Promise<UploadRow | undefined> {
      const row = await db
        .selectFrom('file_uploads')
        .select([
          'id',
          'user_id',
          'filename',
          'file_size',
          'bytes_uploaded',
          'status',
          'storage_key',
          'metadata',
          'expires_at',
        ])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? { ...row, file_size: Number(row.file_size), bytes_uploaded: Number(row.bytes_uploaded) } : undefined;
    },

    async recordProgress(id: string, bytesUploaded: number): Promise<void> {
      await db
        .updateTable('file_uploads')
        .set({ bytes_uploaded: bytesUploaded, status: 'uploading' })
        .where('id', '=', id)
        .where('status', 'in', ['pending', 'uploading'])
        .execute();
    },

    async markUpload(id: string, status: 'processing' | 'failed', mimeType?: string): Promise<void> {
      await db
        .updateTable('file_uploads')
        .set({ status, ...(mimeType !== undefined ? { mime_type: mimeType } : {}) })
        .where('id', '=', id)
        .execute();
    },

    async deleteUpload(id: string): Promise<void> {
      await db.deleteFrom('file_uploads').where('id', '=', id).execute();
    },

    /** The finished upload becomes a file and its session is closed, together or not at all. */
    async completeUpload(uploadId: string | null, file: NewFileRow): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('files')
          .values({ ...file, metadata: JSON.stringify(file.metadata) })
          .execute();
        if (uploadId !== null) {
          await trx
            .updateTable('file_uploads')
            .set({ status: 'completed', bytes_uploaded: file.file_size, mime_type: file.mime_type })
            .where('id', '=', uploadId)
            .execute();
        }
      });
    },
  };
}
