// The SQL of the owner API, delivery and the files lifecycle jobs (issue 12 §5-7). Rows in, rows out.
import { sql } from 'kysely';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';

export interface FileRow {
  id: string;
  user_id: string;
  filename: string;
  original_filename: string;
  mime_type: string;
  file_size: number;
  storage_path: string;
  storage_provider: string;
  bucket_name: string | null;
  thumbnail_url: string | null;
  file_hash: string | null;
  metadata: unknown;
  is_processed: boolean;
  processed_at: Date | null;
  processing_error: string | null;
  virus_scanned: boolean;
  virus_scan_result: string | null;
  virus_scanned_at: Date | null;
  is_public: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface ConversionRow {
  id: string;
  converted_file_id: string | null;
  target_format: string;
  target_quality: string | null;
  status: string;
  progress: number;
  error_message: string | null;
  completed_at: Date | null;
}

export interface FileMetadataRow {
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  year: number | null;
  duration: number | null;
  bitrate: number | null;
  sample_rate: number | null;
  channels: number | null;
  codec: string | null;
  width: number | null;
  height: number | null;
  format: string | null;
}

/** A stored object to delete, as the storage sweeper reads it. */
export interface StoredObject {
  storage_provider: string;
  bucket_name: string | null;
  storage_path: string;
}

const FILE_COLUMNS = [
  'id',
  'user_id',
  'filename',
  'original_filename',
  'mime_type',
  'file_size',
  'storage_path',
  'storage_provider',
  'bucket_name',
  'thumbnail_url',
  'file_hash',
  'metadata',
  'is_processed',
  'processed_at',
  'processing_error',
  'virus_scanned',
  'virus_scan_result',
  'virus_scanned_at',
  'is_public',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

function toFileRow(row: Record<string, unknown>): FileRow {
  return { ...(row as unknown as FileRow), file_size: Number(row.file_size) };
}

export function createFilesRepository(pool: Pool | { db: Database }) {
  const { db } = pool;
  return {
    async findFile(id: string): Promise<FileRow | undefined> {
      const row = await db.selectFrom('files').select(FILE_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toFileRow(row) : undefined;
    },

    /** The owner's live files, newest first (keyset on created_at, id: idx_files_user_id narrows). */
    async listOwn(userId: string, after: Position | undefined, limit: number) {
      let query = db
        .selectFrom('files')
        .select([...FILE_COLUMNS, positionStamp().as(POSITION_STAMP)])
        .where('user_id', '=', userId)
        .where('deleted_at', 'is', null);
      if (after) query = query.where(beforePosition(after));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return rows.map((row) => ({ ...toFileRow(row), [POSITION_STAMP]: row[POSITION_STAMP] }));
    },

    async conversionsOf(fileId: string): Promise<ConversionRow[]> {
      return db
        .selectFrom('file_conversions')
        .select([
          'id',
          'converted_file_id',
          'target_format',
          'target_quality',
          'status',
          'progress',
          'error_message',
          'completed_at',
        ])
        .where('source_file_id', '=', fileId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    async metadataOf(fileId: string): Promise<FileMetadataRow | undefined> {
      return db
        .selectFrom('file_metadata')
        .select([
          'title',
          'artist',
          'album',
          'genre',
          'year',
          'duration',
          'bitrate',
          'sample_rate',
          'channels',
          'codec',
          'width',
          'height',
          'format',
        ])
        .where('file_id', '=', fileId)
        .executeTakeFirst();
    },

    /** What processing read from an audio file, its raw findings (waveform, decoded length, cover) included. */
    async audioMetadataOf(fileId: string) {
      return db
        .selectFrom('file_metadata')
        .select(['title', 'artist', 'album', 'genre', 'duration', 'bpm', 'musical_key', 'raw_metadata'])
        .where('file_id', '=', fileId)
        .executeTakeFirst();
    },

    /** The completed renditions of a file whose own rows are live, with what delivery needs to pick one. */
    async liveRenditionsOf(sourceId: string) {
      const rows = await db
        .selectFrom('file_conversions')
        .innerJoin('files', 'files.id', 'file_conversions.converted_file_id')
        .select([
          'file_conversions.target_format as format',
          'file_conversions.target_quality as quality',
          'files.id as file_id',
          'files.mime_type',
          'files.file_size',
        ])
        .where('file_conversions.source_file_id', '=', sourceId)
        .where('file_conversions.status', '=', 'completed')
        .where('files.deleted_at', 'is', null)
        .orderBy('file_conversions.created_at')
        .orderBy('file_conversions.id')
        .execute();
      return rows.map((row) => ({ ...row, file_size: Number(row.file_size) }));
    },

    /**
     * Soft-deletes a file and the renditions made from it (they are files of their own): their bytes go when
     * the retention job purges the rows, 30 days later (registry: files). Returns the ids deleted now.
     */
    async softDelete(userId: string, id: string, now: Date): Promise<string[]> {
      const rows = await db
        .updateTable('files')
        .set({ deleted_at: now })
        .where('user_id', '=', userId)
        .where('deleted_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('id', '=', id),
            eb(
              'id',
              'in',
              eb
                .selectFrom('file_conversions')
                .select('converted_file_id')
                .where('source_file_id', '=', id)
                .where('converted_file_id', 'is not', null)
                .$narrowType<{ converted_file_id: string }>(),
            ),
          ]),
        )
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /**
     * Of these stored objects (keys under users/<owner>/<file id>/), the keys no row accounts for: no `files` row has
     * the file id of the key's folder, and none names the key itself (as storage_path or thumbnail). Soft-deleted
     * rows count: their bytes wait for the purge and the sweeper.
     */
    async keysWithoutRow(objects: ReadonlyArray<{ key: string; fileId: string }>): Promise<string[]> {
      if (objects.length === 0) return [];
      const keys = objects.map((object) => object.key);
      const ids = [...new Set(objects.map((object) => object.fileId))];
      const [byId, byKey] = await Promise.all([
        db.selectFrom('files').select('id').where('id', 'in', ids).execute(),
        db
          .selectFrom('files')
          .select(['storage_path', 'thumbnail_url'])
          .where((eb) => eb.or([eb('storage_path', 'in', keys), eb('thumbnail_url', 'in', keys)]))
          .execute(),
      ]);
      const knownIds = new Set(byId.map((row) => row.id));
      const namedKeys = new Set(byKey.flatMap((row) => [row.storage_path, row.thumbnail_url]));
      return objects
        .filter((object) => !knownIds.has(object.fileId) && !namedKeys.has(object.key))
        .map((object) => object.key);
    },

    /** True when a row (live or soft-deleted, not yet purged) still names these bytes: the sweeper's guard. */
    async objectStillReferenced(object: StoredObject): Promise<boolean> {
      const row = await db
        .selectFrom('files')
        .select(sql<number>`1`.as('one'))
        .where('storage_path', '=', object.storage_path)
        .where('storage_provider', '=', object.storage_provider)
        .where((eb) =>
          object.bucket_name === null ? eb('bucket_name', 'is', null) : eb('bucket_name', '=', object.bucket_name),
        )
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Unfinished upload sessions past expires_at, oldest first, locked so two sweeps never take the same. */
    async takeExpiredUploads(now: Date, limit: number, tx: Database = db) {
      return tx
        .selectFrom('file_uploads')
        .select(['id', 'user_id', 'storage_key', 'upload_id', 'status'])
        .where('expires_at', '<', now)
        .where('status', 'in', ['pending', 'uploading', 'failed'])
        .orderBy('expires_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
    },

    async deleteUploads(ids: string[], tx: Database = db): Promise<number> {
      if (ids.length === 0) return 0;
      const result = await tx.deleteFrom('file_uploads').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Every live file of one person, for the GDPR export (renditions are derived: the originals are theirs). */
    async filesOfOwner(userId: string): Promise<FileRow[]> {
      const rows = await db
        .selectFrom('files')
        .select(FILE_COLUMNS)
        .where('user_id', '=', userId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toFileRow);
    },
  };
}

export type FilesRepository = ReturnType<typeof createFilesRepository>;
