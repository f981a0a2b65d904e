// Every SQL statement of the processing pipeline: the file's processing state, its file_metadata row, its
// file_conversions rows and the `files` rows of what it derives (renditions, thumbnails, cover art).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../../platform/db/pool.ts';
import type { ProcessingRecord } from './processing.state.ts';

export interface SourceFile {
  id: string;
  user_id: string;
  original_filename: string;
  mime_type: string;
  storage_path: string;
  storage_provider: string;
  bucket_name: string | null;
  metadata: unknown;
  is_public: boolean;
  is_processed: boolean;
  virus_scanned: boolean;
  virus_scan_result: string | null;
  deleted_at: Date | null;
}

export interface MetadataColumns {
  title?: string | null;
  artist?: string | null;
  album?: string | null;
  genre?: string | null;
  year?: number | null;
  duration?: number | null;
  bitrate?: number | null;
  sample_rate?: number | null;
  channels?: number | null;
  codec?: string | null;
  audio_codec?: string | null;
  width?: number | null;
  height?: number | null;
  format?: string | null;
  bpm?: number | null;
  musical_key?: string | null;
}

export interface DerivedFile {
  kind: 'rendition' | 'thumbnail' | 'cover';
  key: string;
  filename: string;
  originalFilename: string;
  mimeType: string;
  size: number;
  sha256: string;
}

export class ProcessingRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** The file, or undefined once it is gone (hard-deleted); a soft-deleted row is returned with deleted_at set. */
  findFile(fileId: string): Promise<SourceFile | undefined> {
    return this.db
      .selectFrom('files')
      .select([
        'id',
        'user_id',
        'original_filename',
        'mime_type',
        'storage_path',
        'storage_provider',
        'bucket_name',
        'metadata',
        'is_public',
        'is_processed',
        'virus_scanned',
        'virus_scan_result',
        'deleted_at',
      ])
      .where('id', '=', fileId)
      .executeTakeFirst();
  }

  /** Replaces files.metadata.processing, leaving every other key of files.metadata as the upload service set it. */
  async saveRecord(fileId: string, record: ProcessingRecord): Promise<void> {
    await this.db
      .updateTable('files')
      .set({
        metadata: sql`COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('processing', ${JSON.stringify(record)}::jsonb)`,
      })
      .where('id', '=', fileId)
      .execute();
  }

  async saveScan(fileId: string, result: string, scanned: boolean): Promise<void> {
    await this.db
      .updateTable('files')
      .set({
        virus_scanned: scanned,
        virus_scan_result: result,
        virus_scanned_at: scanned ? sql<Date>`NOW()` : null,
      })
      .where('id', '=', fileId)
      .execute();
  }

  async markProcessed(fileId: string, record: ProcessingRecord, thumbnailUrl: string | null): Promise<void> {
    await this.db
      .updateTable('files')
      .set({
        is_processed: true,
        processed_at: sql<Date>`NOW()`,
        processing_error: null,
        ...(thumbnailUrl === null ? {} : { thumbnail_url: thumbnailUrl }),
        metadata: sql`COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('processing', ${JSON.stringify(record)}::jsonb)`,
      })
      .where('id', '=', fileId)
      .execute();
  }

  /** A failed or quarantined file: the sentence its owner reads, and the state that says which step stopped. */
  async markFailed(fileId: string, record: ProcessingRecord, sentence: string): Promise<void> {
    await this.db
      .updateTable('files')
      .set({
        is_processed: false,
        processing_error: sentence,
        metadata: sql`COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('processing', ${JSON.stringify(record)}::jsonb)`,
      })
      .where('id', '=', fileId)
      .execute();
  }

  /** Upserts the file's one file_metadata row; raw_metadata keys are merged, so each step adds its own. */
  async saveMetadata(fileId: string, columns: MetadataColumns, raw: Record<string, unknown>): Promise<void> {
    const rawJson = JSON.stringify(raw);
    await this.db
      .insertInto('file_metadata')
      .values({ file_id: fileId, ...columns, raw_metadata: sql`${rawJson}::jsonb` })
      .onConflict((conflict) =>
        conflict.column('file_id').doUpdateSet({
          ...columns,
          raw_metadata: sql`COALESCE(file_metadata.raw_metadata, '{}'::jsonb) || ${rawJson}::jsonb`,
          extracted_at: sql<Date>`NOW()`,
        }),
      )
      .execute();
  }

  async findRawMetadata(fileId: string): Promise<Record<string, unknown> | null> {
    const row = await this.db
      .selectFrom('file_metadata')
      .select(['raw_metadata', 'duration'])
      .where('file_id', '=', fileId)
      .executeTakeFirst();
    return (row?.raw_metadata as Record<string, unknown> | null | undefined) ?? null;
  }

  /** The conversion row for one target, created as `processing` (or reset to it) for a new run. */
  async startConversion(sourceId: string, format: string, quality: string): Promise<{ id: string; done: boolean }> {
    const existing = await this.db
      .selectFrom('file_conversions')
      .select(['id', 'status', 'converted_file_id'])
      .where('source_file_id', '=', sourceId)
      .where('target_format', '=', format)
      .where('target_quality', '=', quality)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (existing?.status === 'completed' && existing.converted_file_id !== null) return { id: existing.id, done: true };
    if (existing) {
      await this.db
        .updateTable('file_conversions')
        .set({ status: 'processing', progress: 0, error_message: null, completed_at: null })
        .where('id', '=', existing.id)
        .execute();
      return { id: existing.id, done: false };
    }
    const row = await this.db
      .insertInto('file_conversions')
      .values({ source_file_id: sourceId, target_format: format, target_quality: quality, status: 'processing' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, done: false };
  }

  async setConversionProgress(conversionId: string, progress: number): Promise<void> {
    await this.db
      .updateTable('file_conversions')
      .set({ progress })
      .where('id', '=', conversionId)
      .where('status', '=', 'processing')
      .execute();
  }

  async completeConversion(conversionId: string, convertedFileId: string): Promise<void> {
    await this.db
      .updateTable('file_conversions')
      .set({ status: 'completed', progress: 100, converted_file_id: convertedFileId, completed_at: sql<Date>`NOW()` })
      .where('id', '=', conversionId)
      .execute();
  }

  async failConversion(conversionId: string, message: string): Promise<void> {
    await this.db
      .updateTable('file_conversions')
      .set({ status: 'failed', error_message: message })
      .where('id', '=', conversionId)
      .execute();
  }

  /**
   * The `files` row of something derived from `source`, found by its storage key so that a retried step reuses it.
   * It inherits the owner, visibility and scan verdict: its bytes came out of bytes the scanner already read.
   */
  async upsertDerivedFile(source: SourceFile, derived: DerivedFile): Promise<{ id: string; url: string }> {
    const existing = await this.db
      .selectFrom('files')
      .select(['id', 'url'])
      .where('storage_path', '=', derived.key)
      .where('user_id', '=', source.user_id)
      .where(sql<boolean>`metadata->>'derivedFrom' = ${source.id}`)
      .executeTakeFirst();
    if (existing) {
      await this.db
        .updateTable('files')
        .set({ file_size: derived.size, file_hash: derived.sha256, mime_type: derived.mimeType, deleted_at: null })
        .where('id', '=', existing.id)
        .execute();
      return existing;
    }
    const id = randomUUID();
    const url = `/v1/files/${id}/content`;
    await this.db
      .insertInto('files')
      .values({
        id,
        user_id: source.user_id,
        filename: derived.filename,
        original_filename: derived.originalFilename,
        mime_type: derived.mimeType,
        file_size: derived.size,
        storage_path: derived.key,
        storage_provider: source.storage_provider,
        bucket_name: source.bucket_name,
        url,
        file_hash: derived.sha256,
        metadata: JSON.stringify({ derivedFrom: source.id, kind: derived.kind }),
        is_processed: true,
        processed_at: sql<Date>`NOW()`,
        virus_scanned: source.virus_scanned,
        virus_scan_result: source.virus_scan_result,
        virus_scanned_at: source.virus_scanned ? sql<Date>`NOW()` : null,
        is_public: source.is_public,
      })
      .execute();
    return { id, url };
  }

  /** A file deleted while it was processed takes what was derived from it along (soft delete, purged later). */
  async softDeleteDerived(sourceId: string): Promise<number> {
    const result = await this.db
      .updateTable('files')
      .set({ deleted_at: sql<Date>`NOW()` })
      .where(sql<boolean>`metadata->>'derivedFrom' = ${sourceId}`)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Unprocessed, undeleted, not-yet-failed source files uploaded before `before`: the recovery sweep's work. */
  async findStalledFiles(before: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('files')
      .select('id')
      .where('is_processed', '=', false)
      .where('processing_error', 'is', null)
      .where('deleted_at', 'is', null)
      .where('created_at', '<', before)
      .where(sql<boolean>`(metadata->>'derivedFrom') IS NULL`)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }
}
