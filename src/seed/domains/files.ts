// File management (spec §6). The files table is laid out in segments, so that the row referencing a file computes
// its id from its own index: one audio file per track, one cover per release, a preview and a download per
// product, one media file per lesson, and a pool of personal files per user (avatars, attachments, photos,
// documents) that messages, posts, equipment and certificates point into.
import type { Row } from '../copy-text.ts';
import type { Rng } from '../random.ts';
import { copyTable, type SeedTable } from '../table.ts';
import { iso, MINUTE_MS } from '../timeline.ts';
import { Fanout, streams, type Universe } from '../universe.ts';
import { GENRES } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { displayName, userCreated, userId, users } from './auth.ts';
import { courses, LESSON_TYPES } from './education.ts';
import { products } from './marketplace.ts';
import { releaseTitle, trackBeat, trackCreated, trackTitle, tracks } from './streaming.ts';

const S = streams(
  'files.id',
  'files.row',
  'file_metadata.id',
  'file_uploads',
  'file_uploads.id',
  'file_conversions',
  'file_conversions.id',
);

interface Segments {
  cover: number;
  product: number;
  lesson: number;
  personal: number;
  total: number;
}

function segments(u: Universe): Segments {
  return u.cached('files.segments', () => {
    const t = tracks(u);
    const cover = t.count;
    const product = cover + t.releases;
    const lesson = product + 2 * products(u).count;
    const personal = lesson + courses(u).lessons.count;
    return { cover, product, lesson, personal, total: personal + VOLUMES.personalFilesPerUser * users(u).count };
  });
}

export function audioFileId(u: Universe, track: number): string {
  return u.id(S['files.id'], track);
}

export function coverFileId(u: Universe, release: number): string {
  return u.id(S['files.id'], segments(u).cover + release);
}

/** kind 0: the audio preview, 1: the downloadable archive. */
export function productFileId(u: Universe, product: number, kind: 0 | 1): string {
  return u.id(S['files.id'], segments(u).product + 2 * product + kind);
}

export function lessonFileId(u: Universe, lesson: number): string {
  return u.id(S['files.id'], segments(u).lesson + lesson);
}

/** One of the user's personal files, `slot` in [0, personalFilesPerUser). */
export function personalFileId(u: Universe, user: number, slot: number): string {
  return u.id(S['files.id'], segments(u).personal + user * VOLUMES.personalFilesPerUser + slot);
}

const AUDIO_FORMATS = [
  ['audio/mpeg', 'mp3', 40_000],
  ['audio/wav', 'wav', 176_400],
  ['audio/flac', 'flac', 100_000],
] as const;

interface FileShape {
  owner: number;
  created: number;
  name: string;
  extension: string;
  mime: string;
  size: number;
  isPublic: boolean;
  folder: string;
  metadata: object | null;
  thumbnail: boolean;
}

function describe(u: Universe, file: number, rng: Rng): FileShape {
  const seg = segments(u);
  const start = u.time.start;
  if (file < seg.cover) {
    const t = tracks(u);
    const [mime, extension, bytesPerSecond] = AUDIO_FORMATS[file % 7 < 4 ? 0 : file % 7 < 6 ? 1 : 2];
    const duration = t.duration[file] as number;
    return {
      owner: t.creator[file] as number,
      created: Math.max(start, trackCreated(u, file) - 10 * MINUTE_MS),
      name: trackTitle(u, file),
      extension,
      mime,
      size: duration * bytesPerSecond + rng.int(4096),
      isPublic: t.visibility[file] === 0,
      folder: 'tracks',
      metadata: { duration, bitrate: Math.round((bytesPerSecond * 8) / 1000) },
      thumbnail: false,
    };
  }
  if (file < seg.product) {
    const release = file - seg.cover;
    const first = release * VOLUMES.tracksPerRelease;
    return {
      owner: tracks(u).creator[first] as number,
      created: Math.max(start, trackCreated(u, first) - 20 * MINUTE_MS),
      name: `${releaseTitle(u, release)} cover`,
      extension: 'jpg',
      mime: 'image/jpeg',
      size: rng.between(200_000, 2_500_000),
      isPublic: true,
      folder: 'covers',
      metadata: { width: 3000, height: 3000 },
      thumbnail: true,
    };
  }
  if (file < seg.lesson) {
    const product = Math.floor((file - seg.product) / 2);
    const preview = (file - seg.product) % 2 === 0;
    const all = products(u);
    return {
      owner: all.seller[product] as number,
      created: Math.max(start, (all.timed.created[product] as number) - 30 * MINUTE_MS),
      name: preview ? `product ${product} preview` : `product ${product}`,
      extension: preview ? 'mp3' : 'zip',
      mime: preview ? 'audio/mpeg' : 'application/zip',
      size: preview ? rng.between(500_000, 3_000_000) : rng.between(5_000_000, 900_000_000),
      isPublic: preview,
      folder: 'products',
      metadata: null,
      thumbnail: false,
    };
  }
  if (file < seg.personal) {
    const lesson = file - seg.lesson;
    const all = courses(u);
    const type = LESSON_TYPES[all.lessons.type[lesson] as number] as string;
    const [mime, extension] =
      type === 'video' ? ['video/mp4', 'mp4'] : type === 'audio' ? ['audio/mpeg', 'mp3'] : ['text/markdown', 'md'];
    return {
      owner: all.creator[all.lessons.course[lesson] as number] as number,
      created: Math.max(start, (all.lessons.created[lesson] as number) - 60 * MINUTE_MS),
      name: `lesson ${lesson}`,
      extension,
      mime,
      size: type === 'video' ? rng.between(50_000_000, 2_000_000_000) : rng.between(2_000, 80_000_000),
      isPublic: false,
      folder: 'lessons',
      metadata: type === 'text' ? null : { duration: all.lessons.duration[lesson] },
      thumbnail: type === 'video',
    };
  }
  const owner = Math.floor((file - seg.personal) / VOLUMES.personalFilesPerUser);
  const slot = (file - seg.personal) % VOLUMES.personalFilesPerUser;
  const kind = rng.next();
  const [mime, extension] =
    kind < 0.7 ? ['image/jpeg', 'jpg'] : kind < 0.85 ? ['image/png', 'png'] : ['application/pdf', 'pdf'];
  return {
    owner,
    created: userCreated(u, owner) + (slot + 1) * MINUTE_MS,
    name: `${displayName(u, owner)} ${slot + 1}`,
    extension,
    mime,
    size: rng.between(20_000, 8_000_000),
    isPublic: slot === 0,
    folder: 'users',
    metadata: mime.startsWith('image/') ? { width: 1080 + rng.int(3000), height: 1080 + rng.int(3000) } : null,
    thumbnail: mime.startsWith('image/'),
  };
}

const filesTable = copyTable({
  name: 'files',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'filename',
    'original_filename',
    'mime_type',
    'file_size',
    'storage_path',
    'storage_provider',
    'bucket_name',
    'url',
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
  ],
  count: (u) => segments(u).total,
  *rows(u): Iterable<Row> {
    const total = segments(u).total;
    const rng = u.rng();
    for (let file = 0; file < total; file++) {
      rng.reset(S['files.row'], file);
      const shape = describe(u, file, rng);
      const id = u.id(S['files.id'], file);
      const owner = userId(u, shape.owner);
      const path = `${shape.folder}/${owner}/${id}.${shape.extension}`;
      const failed = rng.chance(0.005);
      const processed = shape.created + rng.between(1, 5) * MINUTE_MS;
      yield [
        id,
        owner,
        `${id}.${shape.extension}`,
        `${shape.name}.${shape.extension}`,
        shape.mime,
        shape.size,
        path,
        's3',
        'veza-media',
        `https://cdn.veza.example/${path}`,
        shape.thumbnail ? `https://cdn.veza.example/thumbnails/${id}.jpg` : null,
        rng.hex(64),
        shape.metadata ? JSON.stringify(shape.metadata) : null,
        !failed,
        iso(processed),
        failed ? 'transcoding failed: unsupported sample format' : null,
        true,
        'clean',
        iso(processed),
        shape.isPublic,
        iso(shape.created),
        iso(processed),
        null,
      ];
    }
  },
});

const fileMetadata = copyTable({
  name: 'file_metadata',
  dependsOn: ['files'],
  columns: [
    'id',
    'file_id',
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
    'video_codec',
    'audio_codec',
    'framerate',
    'bpm',
    'musical_key',
    'time_signature',
    'raw_metadata',
    'extracted_at',
    'created_at',
    'updated_at',
  ],
  // one per audio file of a track
  count: (u) => tracks(u).count,
  *rows(u): Iterable<Row> {
    const t = tracks(u);
    const rng = u.rng();
    for (let track = 0; track < t.count; track++) {
      rng.reset(S['file_metadata.id'], track);
      const [, codec, bytesPerSecond] = AUDIO_FORMATS[track % 7 < 4 ? 0 : track % 7 < 6 ? 1 : 2];
      const { bpm, key } = trackBeat(u, track);
      const at = iso(Math.max(u.time.start, trackCreated(u, track) - 8 * MINUTE_MS));
      const release = Math.floor(track / VOLUMES.tracksPerRelease);
      yield [
        u.id(S['file_metadata.id'], track),
        audioFileId(u, track),
        trackTitle(u, track),
        displayName(u, t.creator[track] as number),
        releaseTitle(u, release),
        GENRES[t.genre[track] as number] as string,
        2000 + rng.int(27),
        t.duration[track] as number,
        Math.round((bytesPerSecond * 8) / 1000),
        rng.chance(0.7) ? 44_100 : 48_000,
        2,
        codec,
        null,
        null,
        codec,
        null,
        codec,
        null,
        bpm,
        key,
        rng.chance(0.9) ? '4/4' : rng.pick(['3/4', '6/8', '7/8']),
        JSON.stringify({ encoder: rng.pick(['LAME 3.100', 'Lavf60.3.100', 'Logic Pro 11', 'Ableton Live 12']) }),
        at,
        at,
        at,
      ];
    }
  },
});

function uploadFanout(u: Universe): Fanout {
  return u.cached('file_uploads', () =>
    Fanout.of(u, S.file_uploads, users(u).count, (_, rng) => rng.exponentialCount(VOLUMES.uploadsPerUser, 20)),
  );
}

const CHUNK_BYTES = 5 * 1024 * 1024;

const fileUploads = copyTable({
  name: 'file_uploads',
  dependsOn: ['users'],
  columns: [
    'id',
    'user_id',
    'filename',
    'file_size',
    'mime_type',
    'bytes_uploaded',
    'chunks_uploaded',
    'total_chunks',
    'status',
    'storage_key',
    'upload_id',
    'metadata',
    'created_at',
    'updated_at',
    'expires_at',
  ],
  count: (u) => uploadFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = uploadFanout(u);
    const rng = u.rng();
    for (let user = 0; user < fanout.counts.length; user++) {
      for (let row = fanout.start[user] as number; row < (fanout.start[user + 1] as number); row++) {
        rng.reset(S['file_uploads.id'], row);
        const created = u.time.after(userCreated(u, user), rng.next());
        const size = rng.between(1_000_000, 300_000_000);
        const chunks = Math.ceil(size / CHUNK_BYTES);
        const outcome = rng.next();
        const status =
          outcome < 0.85
            ? 'completed'
            : outcome < 0.9
              ? 'uploading'
              : outcome < 0.93
                ? 'pending'
                : outcome < 0.96
                  ? 'processing'
                  : 'failed';
        const done =
          status === 'completed' || status === 'processing' ? chunks : status === 'pending' ? 0 : rng.int(chunks);
        const id = u.id(S['file_uploads.id'], row);
        yield [
          id,
          userId(u, user),
          `${rng.pick(['bounce', 'stems', 'master', 'demo', 'session'])}-${row}.${rng.pick(['wav', 'zip', 'flac'])}`,
          size,
          rng.pick(['audio/wav', 'application/zip', 'audio/flac']),
          Math.min(size, done * CHUNK_BYTES),
          done,
          chunks,
          status,
          `uploads/${id}`,
          rng.hex(32),
          null,
          iso(created),
          iso(created + rng.between(1, 30) * MINUTE_MS),
          iso(created + 24 * 60 * MINUTE_MS),
        ];
      }
    }
  },
});

function conversionFanout(u: Universe): Fanout {
  return u.cached('file_conversions', () =>
    Fanout.of(u, S.file_conversions, tracks(u).count, (_, rng) =>
      rng.chance(VOLUMES.conversionShareOfTracks) ? 1 : 0,
    ),
  );
}

const fileConversions = copyTable({
  name: 'file_conversions',
  dependsOn: ['files'],
  columns: [
    'id',
    'source_file_id',
    'converted_file_id',
    'target_format',
    'target_quality',
    'status',
    'progress',
    'error_message',
    'created_at',
    'updated_at',
    'completed_at',
  ],
  count: (u) => conversionFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = conversionFanout(u);
    const rng = u.rng();
    for (let track = 0; track < fanout.counts.length; track++) {
      for (let row = fanout.start[track] as number; row < (fanout.start[track + 1] as number); row++) {
        rng.reset(S['file_conversions.id'], row);
        const created = Math.max(u.time.start, trackCreated(u, track) - 5 * MINUTE_MS);
        const outcome = rng.next();
        const status = outcome < 0.95 ? 'completed' : outcome < 0.98 ? 'failed' : 'processing';
        const finished = created + rng.between(1, 10) * MINUTE_MS;
        yield [
          u.id(S['file_conversions.id'], row),
          audioFileId(u, track),
          // the renditions are not files of their own in this data set (the column is nullable, SET NULL)
          null,
          rng.pick(['aac', 'ogg', 'mp3']),
          rng.pick(['128k', '256k', '320k']),
          status,
          status === 'completed' ? 100 : status === 'failed' ? rng.int(100) : rng.int(100),
          status === 'failed' ? 'encoder exited with code 1' : null,
          iso(created),
          iso(status === 'processing' ? created : finished),
          status === 'completed' ? iso(finished) : null,
        ];
      }
    }
  },
});

export const fileTables: SeedTable[] = [filesTable, fileMetadata, fileUploads, fileConversions];
