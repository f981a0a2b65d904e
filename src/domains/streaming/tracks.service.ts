// Tracks (issue 13 §1, ADR 0046): made from the creator's own clean, processed audio file (duration and waveform
// from processing, never from the client), edited under If-Match, published and unpublished, soft-deleted; the
// public lists (creator, genre, newest, trending), the creator's own list and a track's page.
import type { AudioFindings, BridgedFile, FilesBridge } from '../files/index.ts';
import type { PublicName } from '../profiles/index.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { entityTag } from '../../platform/http/etag.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy } from './tracks.policy.ts';
import {
  FileAlreadyATrack,
  type CommentPreviewRow,
  type TrackCardRow,
  type TrackChanges,
  type TrackRow,
  type TracksRepository,
} from './tracks.repository.ts';
import {
  DESCRIPTION_MAX,
  MUSICAL_KEYS,
  TITLE_MAX,
  type CreateTrack,
  type OwnTrackListQuery,
  type Track,
  type TrackCard,
  type TrackList,
  type TrackListQuery,
  type TrendingList,
  type TrendingQuery,
  type UpdateTrack,
} from './tracks.schemas.ts';
import type { TrendingPosition } from './tracks.queries.ts';

/** Top-level comments shown on a track's page; the comments API pages the rest. */
export const FIRST_COMMENTS = 3;

export interface TracksServiceDeps {
  repository: TracksRepository;
  files: FilesBridge;
  /** Public names of accounts by id (profiles' publicNamesOf). */
  names: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
}

/** A track with the ETag of its editable state (see `editableState`). */
export interface TaggedTrack {
  track: Track;
  etag: string;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);
export const trackPath = (id: string) => `/v1/tracks/${id}`;

function invalid(field: string, rule: string, message: string): ApiError {
  return new ApiError(CommonProblems.validationFailed, `${field} ${message}`, [{ field, rule, message }]);
}

function unusable(field: string, rule: string, message: string): ApiError {
  return new ApiError(StreamingProblems.trackFileUnusable, `${field} ${message}`, [{ field, rule, message }]);
}

// Control characters are exactly what this pattern is about (the schemas' ONE_LINE_NO_DIRECTION_MARKS_PATTERN rule,
// text-patterns.ts, for tag values).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const codePoints = (text: string) => [...text].length;
const cut = (text: string, max: number) => [...text].slice(0, max).join('');

/** A text the client sent: NFC, trimmed; blank is refused for required fields, stored as NULL for the others. */
function clientText(value: string | null | undefined, field: string, max: number, required = false) {
  if (value === undefined || value === null) return value;
  const text = value.normalize('NFC').trim();
  if (text === '') {
    if (required) throw invalid(field, 'notBlank', 'must have more than white space');
    return null;
  }
  // NFC may compose, never lengthen past what the schema admitted by much; the column's limit is the rule.
  if (codePoints(text) > max) throw invalid(field, 'maxLength', `must be ${max} characters at most`);
  return text;
}

/** A default taken from the file's tags: cleaned and cut to the column rather than refused. */
function tagText(value: string | null, max: number): string | null {
  if (value === null) return null;
  const text = value.normalize('NFC').replace(FORBIDDEN_IN_LINE, ' ').replace(/\s+/gu, ' ').trim();
  return text === '' ? null : cut(text, max);
}

/** A tag's key (`A minor`, `F#m`, `bbmin`) in the API's notation, or null when it is not one of MUSICAL_KEYS. */
export function musicalKeyFromTag(tag: string | null): string | null {
  if (tag === null) return null;
  const match = /^\s*([A-Ga-g])\s*([#♯b♭]?)\s*(m|min|minor|maj|major)?\s*$/i.exec(tag);
  if (!match) return null;
  const [, letter = '', accidental = '', mode = ''] = match;
  const sign = accidental === '♯' ? '#' : accidental === '♭' || accidental.toLowerCase() === 'b' ? 'b' : accidental;
  const minor = /^m(in(or)?)?$/i.test(mode) && mode !== 'M';
  const key = `${letter.toUpperCase()}${sign}${minor ? 'm' : ''}`;
  return MUSICAL_KEYS.includes(key) ? key : null;
}

function fileStem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** What If-Match compares: the fields a creator edits and the publication, not counts that listeners move. */
export function editableState(row: TrackRow) {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    artist: row.artist,
    album: row.album,
    genre: row.genre,
    bpm: row.bpm,
    musical_key: row.musical_key,
    visibility: row.visibility,
    is_downloadable: row.is_downloadable,
    cover_art_file_id: row.cover_art_file_id,
    published_at: isoOrNull(row.published_at),
  };
}

const TRENDING_SCORE = /^-?\d{1,20}(\.\d{1,20})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeTrendingCursor(position: TrendingPosition): string {
  return Buffer.from(JSON.stringify([position.score, position.id])).toString('base64url');
}

function decodeTrendingCursor(cursor: string): TrendingPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2) {
    const [score, id] = parsed as unknown[];
    if (typeof score === 'string' && TRENDING_SCORE.test(score) && typeof id === 'string' && UUID.test(id))
      return { score, id };
  }
  throw invalid('query.cursor', 'cursor', 'is not a cursor from a previous page');
}

function waveformOf(value: unknown): Track['waveform'] {
  if (typeof value !== 'object' || value === null) return null;
  const { version, buckets, encoding, data } = value as Record<string, unknown>;
  if (typeof buckets !== 'number' || typeof data !== 'string') return null;
  return {
    version: typeof version === 'number' ? version : 1,
    buckets,
    encoding: typeof encoding === 'string' ? encoding : 'int8-minmax-base64',
    data,
  };
}

export class TracksService {
  readonly #deps: TracksServiceDeps;

  constructor(deps: TracksServiceDeps) {
    this.#deps = deps;
  }

  // --- the creator's side -----------------------------------------------------------------------------------

  /**
   * A track from one of the caller's uploads. The file must be theirs, audio, an upload (not a rendition),
   * scanned clean and processed: while processing runs the answer is 409 (retry), any other refusal is a 422
   * naming `body.file_id` and the rule. Duration and waveform come from processing; title, artist, album,
   * genre, bpm, key and cover default to what processing read from the file's tags.
   */
  async create(caller: Caller, body: CreateTrack): Promise<TaggedTrack> {
    const { files } = this.#deps;
    const file = await files.findFile(body.file_id);
    this.#assertUsableAudio(caller, file);
    const findings: AudioFindings | undefined = await files.audioFindings(body.file_id);
    const duration = Math.round(findings?.duration_seconds ?? 0);
    if (!findings || duration < 1)
      throw unusable('body.file_id', 'duration', 'has no measurable duration: processing found no audio in it');

    const title =
      clientText(body.title, 'body.title', TITLE_MAX, true) ??
      tagText(findings.title, TITLE_MAX) ??
      tagText(fileStem(file.original_filename), TITLE_MAX) ??
      'Untitled';
    const text = (value: string | null | undefined, field: string, max: number, tag: string | null) =>
      value === undefined ? tagText(tag, max) : (clientText(value, field, max) ?? null);
    const bpmFromTag =
      findings.bpm !== null && findings.bpm >= 1 && findings.bpm <= 999 ? Math.round(findings.bpm) : null;

    let cover = body.cover_art_file_id;
    if (cover !== undefined && cover !== null) await this.#assertUsableCover(caller, cover);
    if (cover === undefined) cover = await this.#embeddedCover(caller, findings.cover_file_id);

    try {
      const row = await this.#deps.repository.createTrack({
        creator_id: caller.userId,
        file_id: file.id,
        title,
        artist: text(body.artist, 'body.artist', 255, findings.artist),
        album: text(body.album, 'body.album', 255, findings.album),
        genre: text(body.genre, 'body.genre', 100, findings.genre),
        description: clientText(body.description, 'body.description', DESCRIPTION_MAX) ?? null,
        bpm: body.bpm === undefined ? bpmFromTag : body.bpm,
        musical_key: body.musical_key === undefined ? musicalKeyFromTag(findings.musical_key) : body.musical_key,
        cover_art_file_id: cover,
        visibility: body.visibility ?? 'public',
        is_downloadable: body.is_downloadable ?? false,
        duration,
        waveform_data: findings.waveform,
        published: body.publish ?? false,
      });
      return this.#tagged(caller, row);
    } catch (error) {
      if (error instanceof FileAlreadyATrack)
        throw new ApiError(StreamingProblems.trackFileInUse, 'One of your tracks already plays this file', [
          { field: 'body.file_id', rule: 'unusedFile', message: 'is already the audio of another of your tracks' },
        ]);
      throw error;
    }
  }

  #assertUsableAudio(caller: Caller, file: BridgedFile | undefined): asserts file is BridgedFile {
    const field = 'body.file_id';
    // Missing, deleted and someone else's read the same: nothing about other people's files leaks.
    if (!file || file.deleted || file.user_id !== caller.userId)
      throw unusable(field, 'ownFile', 'is not one of your files');
    if (file.derived_from !== null)
      throw unusable(field, 'upload', 'was made by processing from another file: name the uploaded file itself');
    if (!file.mime_type.startsWith('audio/')) throw unusable(field, 'audio', `is not audio (${file.mime_type})`);
    if (file.processing === 'quarantined')
      throw unusable(field, 'clean', 'was quarantined by the virus scanner and is never served');
    if (file.processing === 'failed')
      throw unusable(field, 'processed', 'could not be processed (GET /v1/files/{id} says why): upload it again');
    if (file.processing !== 'processed')
      throw new ApiError(
        StreamingProblems.trackAudioProcessing,
        'The file is still being scanned and converted; retry when GET /v1/files/{id} (Prefer: wait=20) says processed',
        [{ field, rule: 'processed', message: 'is still being processed' }],
      );
    if (!file.cleared) throw unusable(field, 'clean', 'has not been cleared by the virus scanner');
  }

  async #assertUsableCover(caller: Caller, fileId: string): Promise<void> {
    const field = 'body.cover_art_file_id';
    const file = await this.#deps.files.findFile(fileId);
    if (!file || file.deleted || file.user_id !== caller.userId)
      throw unusable(field, 'ownFile', 'is not one of your files');
    if (!/^image\/(png|jpeg|webp|gif)$/.test(file.mime_type))
      throw unusable(field, 'image', `is not a PNG, JPEG, WebP or GIF image (${file.mime_type})`);
    if (file.processing === 'quarantined' || !file.cleared)
      throw unusable(field, 'clean', 'has not been cleared by the virus scanner');
  }

  /** The cover processing found inside the audio, when it is still there and usable. */
  async #embeddedCover(caller: Caller, fileId: string | null): Promise<string | null> {
    if (fileId === null) return null;
    try {
      await this.#assertUsableCover(caller, fileId);
      return fileId;
    } catch {
      return null;
    }
  }

  async #managed(caller: Caller, id: string): Promise<TrackRow> {
    const row = await this.#deps.repository.findTrack(id);
    authorize(tracksPolicy.mayManage(caller, row), StreamingProblems.trackNotFound);
    return row as TrackRow;
  }

  /**
   * The creator's changes. `ifMatch` (the route's If-Match precondition) sees the editable state inside the
   * update's transaction, row locked: of two edits based on one ETag, one applies and the other is a 412.
   */
  async update(
    caller: Caller,
    id: string,
    body: UpdateTrack,
    ifMatch?: (current: unknown) => void,
  ): Promise<TaggedTrack> {
    await this.#managed(caller, id);
    const changes: TrackChanges = {};
    const title = clientText(body.title, 'body.title', TITLE_MAX, true);
    if (title) changes.title = title;
    for (const [field, max] of [
      ['artist', 255],
      ['album', 255],
      ['genre', 100],
      ['description', DESCRIPTION_MAX],
    ] as const) {
      const value = clientText(body[field], `body.${field}`, max);
      if (value !== undefined) changes[field] = value;
    }
    if (body.bpm !== undefined) changes.bpm = body.bpm;
    if (body.musical_key !== undefined) changes.musical_key = body.musical_key;
    if (body.visibility !== undefined) changes.visibility = body.visibility;
    if (body.is_downloadable !== undefined) changes.is_downloadable = body.is_downloadable;
    if (body.cover_art_file_id !== undefined) {
      if (body.cover_art_file_id !== null) await this.#assertUsableCover(caller, body.cover_art_file_id);
      changes.cover_art_file_id = body.cover_art_file_id;
    }
    const row = await this.#deps.repository.updateTrack(
      id,
      changes,
      ifMatch && ((current) => ifMatch(editableState(current))),
    );
    // Deleted between the check and the update.
    if (!row) throw new ApiError(StreamingProblems.trackNotFound);
    return this.#tagged(caller, row);
  }

  async setPublished(caller: Caller, id: string, published: boolean): Promise<TaggedTrack> {
    await this.#managed(caller, id);
    const row = await this.#deps.repository.setPublished(id, published);
    if (!row) throw new ApiError(StreamingProblems.trackNotFound);
    return this.#tagged(caller, row);
  }

  /** Soft delete (ADR 0046): gone for everyone at once; likes, comments and playlist entries wait for the purge. */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.#managed(caller, id);
    if (!(await this.#deps.repository.softDelete(id))) throw new ApiError(StreamingProblems.trackNotFound);
  }

  // --- everyone's side ---------------------------------------------------------------------------------------

  /** A track's page: the track, its creator, counts, the newest top-level comments, and whether you liked it. */
  async get(caller: Caller | null, id: string): Promise<TaggedTrack> {
    const row = await this.#deps.repository.findTrack(id);
    authorize(tracksPolicy.mayListen(caller, row), StreamingProblems.trackNotFound);
    return this.#tagged(caller, row as TrackRow);
  }

  /** Public, published tracks, newest publication first: all, one creator's, one genre's (or both). */
  async list(query: TrackListQuery): Promise<TrackList> {
    const from = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.publicList(
      { creatorId: query.creator_id, genre: query.genre },
      from,
      query.limit,
    );
    const page = toPage(rows, query.limit);
    return { items: await this.#cards(page.items), next_cursor: page.next_cursor };
  }

  /** The caller's own tracks, drafts and private ones included, newest first. */
  async listOwn(caller: Caller, query: OwnTrackListQuery): Promise<TrackList> {
    const from = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = toPage(await this.#deps.repository.ownList(caller.userId, from, query.limit), query.limit);
    return { items: await this.#cards(page.items), next_cursor: page.next_cursor };
  }

  /** The trending view's order (spec §23.1), as of its last refresh; only tracks still public and published. */
  async trending(query: TrendingQuery): Promise<TrendingList> {
    const from = query.cursor === undefined ? undefined : decodeTrendingCursor(query.cursor);
    const rows = await this.#deps.repository.trending(from, query.limit);
    const kept = rows.slice(0, query.limit);
    const last = kept.at(-1);
    const cards = await this.#cards(kept);
    return {
      items: cards.map((card, index) => ({ ...card, trending_score: Number(kept[index]?.trending_score ?? 0) })),
      next_cursor:
        rows.length > query.limit && last ? encodeTrendingCursor({ score: last.trending_score, id: last.id }) : null,
    };
  }

  // --- representations ---------------------------------------------------------------------------------------

  async #cards(rows: TrackCardRow[]): Promise<TrackCard[]> {
    const names = await this.#deps.names(rows.map((row) => row.creator_id));
    return rows.map((row) => this.#card(row, names));
  }

  #card(row: TrackCardRow, names: Map<string, PublicName>): TrackCard {
    const creator = names.get(row.creator_id);
    return {
      id: row.id,
      creator: {
        id: row.creator_id,
        username: creator?.username ?? null,
        display_name: creator?.display_name ?? null,
      },
      title: row.title,
      artist: row.artist,
      album: row.album,
      genre: row.genre,
      duration_seconds: row.duration,
      visibility: row.visibility,
      published_at: isoOrNull(row.published_at),
      cover_url: row.cover_art_file_id ? `${trackPath(row.id)}/cover` : null,
      stream_url: `${trackPath(row.id)}/stream`,
      counts: {
        plays: row.play_count,
        likes: row.like_count,
        comments: row.comment_count,
        downloads: row.download_count,
      },
    };
  }

  async #tagged(caller: Caller | null, row: TrackRow): Promise<TaggedTrack> {
    const { repository } = this.#deps;
    const [comments, liked] = await Promise.all([
      repository.firstComments(row.id, FIRST_COMMENTS),
      caller ? repository.isLikedBy(caller.userId, row.id) : Promise.resolve(false),
    ]);
    const names = await this.#deps.names([row.creator_id, ...comments.map((comment) => comment.user_id)]);
    const isCreator = caller?.userId === row.creator_id;
    const track: Track = {
      ...this.#card(row, names),
      description: row.description,
      bpm: row.bpm,
      musical_key: row.musical_key,
      is_downloadable: row.is_downloadable,
      download_url: isCreator || row.is_downloadable ? `${trackPath(row.id)}/download` : null,
      waveform: waveformOf(row.waveform_data),
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
      liked_by_me: liked,
      first_comments: comments.map((comment) => this.#comment(comment, names)),
      ...(isCreator ? { file_id: row.file_id, cover_art_file_id: row.cover_art_file_id } : {}),
    };
    return { track, etag: entityTag(editableState(row)) };
  }

  #comment(row: CommentPreviewRow, names: Map<string, PublicName>) {
    const author = names.get(row.user_id);
    return {
      id: row.id,
      author: { id: row.user_id, username: author?.username ?? null, display_name: author?.display_name ?? null },
      content: row.content,
      timestamp_seconds: row.timestamp_seconds,
      is_edited: row.is_edited,
      created_at: iso(row.created_at),
    };
  }
}
