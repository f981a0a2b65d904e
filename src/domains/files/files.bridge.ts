// What other domains may know of files and do with them (GUIDE, domain isolation): a file's facts for a rule of
// theirs (is this the caller's clean, processed audio?), what processing found in it, its renditions, and
// delivery of its bytes under their grant (a track's stream or download: ADR 0047). They never read `files`,
// `file_metadata` or `file_conversions` themselves.
import type { Config } from '../../platform/config/config.ts';
import type { Pool } from '../../platform/db/pool.ts';
import { DeliveryService, type DeliveryAnswer, type DeliveryGrant } from './delivery.service.ts';
import { scanStanding, type ScanStanding } from './files.policy.ts';
import { createFilesRepository, type FileRow } from './files.repository.ts';
import { processingState } from './processing/processing.state.ts';
import { openObjectStorage, type ObjectStorage } from './storage/object-storage.ts';
import type { Caller } from '../../platform/http/caller.ts';

export type { DeliveryAnswer, DeliveryGrant };

/** A stored file as another domain may see it: enough to decide, nothing of storage. */
export interface BridgedFile {
  id: string;
  user_id: string;
  mime_type: string;
  original_filename: string;
  size: number;
  deleted: boolean;
  /** processed, failed and quarantined are final (the owner API's processing_status). */
  processing: 'pending' | 'processing' | 'processed' | 'failed' | 'quarantined';
  scan: ScanStanding;
  /**
   * The files policy would show it to others as far as scanning goes: scanned clean, or (outside production,
   * where no scanner may be installed) not scanned at all. Never true for a quarantined file.
   */
  cleared: boolean;
  /** Set on what processing made from an upload (a rendition, an embedded cover): the upload's id. */
  derived_from: string | null;
  /** `rendition`, `cover` or `thumbnail` for derived files. */
  derived_kind: string | null;
}

/** What processing read from an audio file (issue 12 §4): the facts a track takes over, never the client's. */
export interface AudioFindings {
  /** The decoded length when the waveform step ran (exact), else the container's declared duration. */
  duration_seconds: number | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  bpm: number | null;
  musical_key: string | null;
  /** The encoded peaks (waveform.ts `encodeWaveform`): `{version, buckets, encoding, data}`. */
  waveform: Record<string, unknown> | null;
  /** The embedded cover art, stored as an image file of the same owner. */
  cover_file_id: string | null;
}

/** A completed rendition whose file is live (file_conversions x files). */
export interface BridgedRendition {
  file_id: string;
  /** `aac`, `webp`, `jpg`… */
  format: string;
  /** `128k`, `256k`, `320px`, `embedded-cover`… */
  quality: string | null;
  mime_type: string;
  size: number;
}

export interface GrantedDelivery {
  caller: Caller | null;
  fileId: string;
  grant: DeliveryGrant;
  headers: { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };
  headOnly: boolean;
}

export interface FilesBridge {
  findFile(id: string): Promise<BridgedFile | undefined>;
  audioFindings(id: string): Promise<AudioFindings | undefined>;
  renditionsOf(sourceId: string): Promise<BridgedRendition[]>;
  /** Bytes of a file under another domain's grant: ranges, validators and caching as on /v1/files (ADR 0042). */
  deliver(request: GrantedDelivery): Promise<DeliveryAnswer>;
}

export interface FilesBridgeDeps {
  pool: Pool;
  config: Config;
  /** The storage the files module opened; by default one is opened from the configuration. */
  storage?: ObjectStorage;
}

const objectOrNull = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function bridged(row: FileRow, production: boolean): BridgedFile {
  const state = processingState(row);
  const scan = scanStanding(row);
  const metadata = objectOrNull(row.metadata);
  const derivedFrom = metadata?.derivedFrom;
  const derivedKind = metadata?.kind;
  return {
    id: row.id,
    user_id: row.user_id,
    mime_type: row.mime_type,
    original_filename: row.original_filename,
    size: row.file_size,
    deleted: row.deleted_at !== null,
    processing: scan === 'quarantined' ? 'quarantined' : state.status,
    scan,
    cleared: scan === 'clean' || (scan === 'unscanned' && !production),
    derived_from: typeof derivedFrom === 'string' ? derivedFrom : null,
    derived_kind: typeof derivedKind === 'string' ? derivedKind : null,
  };
}

export function createFilesBridge({ pool, config, storage }: FilesBridgeDeps): FilesBridge {
  const repository = createFilesRepository(pool);
  const production = config.nodeEnv === 'production';
  const delivery = new DeliveryService({
    repository,
    storage: storage ?? openObjectStorage(config.files),
    // Granted deliveries never carry a files signed link: the granting domain signs its own (ADR 0047).
    signer: () => Promise.reject(new Error('a granted delivery has no signed link')),
    production,
  });

  return {
    async findFile(id) {
      const row = await repository.findFile(id);
      return row ? bridged(row, production) : undefined;
    },

    async audioFindings(id) {
      const row = await repository.audioMetadataOf(id);
      if (!row) return undefined;
      const raw = objectOrNull(row.raw_metadata);
      const decoded = raw?.decodedSeconds;
      const cover = raw?.coverFileId;
      return {
        duration_seconds: typeof decoded === 'number' && decoded > 0 ? decoded : row.duration,
        title: row.title,
        artist: row.artist,
        album: row.album,
        genre: row.genre,
        bpm: row.bpm,
        musical_key: row.musical_key,
        waveform: objectOrNull(raw?.waveform),
        cover_file_id: typeof cover === 'string' ? cover : null,
      };
    },

    async renditionsOf(sourceId) {
      const rows = await repository.liveRenditionsOf(sourceId);
      return rows.map(({ file_size, ...row }) => ({ ...row, size: file_size }));
    },

    deliver: (request) =>
      delivery.deliver({
        caller: request.caller,
        id: request.fileId,
        query: {},
        headers: request.headers,
        headOnly: request.headOnly,
        grant: request.grant,
      }),
  };
}
