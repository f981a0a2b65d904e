// Playing and downloading a track's audio (issue 13 §2-3, ADR 0047). The bytes are served by the files module
// (ranges, validators, caching: ADR 0042) under the track's grant; this service decides who may, which file, and
// under what name.
//
// For the OpenSubsonic API and any other caller inside Veza, the whole contract is:
//
//   const streams = createStreamService({ pool, config });
//   const answer = await streams.stream({
//     caller,                         // Caller | null (null: anonymous)
//     trackId,                        // uuid
//     quality: qualityForBitRate(maxBitRate, format),   // 'low' | 'high' | 'original'; default 'high'
//     accept: request.headers.accept, // optional: 406 when no rendition's type fits
//     headers: request.headers,       // range, if-range, if-none-match, if-modified-since
//     headOnly: request.method === 'HEAD',
//   });
//   return sendDelivery(request, reply, answer.delivery, answer.fileId); // from the files module's index
//
// `download` takes the same request (quality ignored: the original, as an attachment) and records the download.
// Refusals are ApiErrors with StreamingProblems: 404 TRACK_NOT_FOUND (missing, deleted, or not visible to the
// caller), 404 TRACK_AUDIO_UNAVAILABLE (audio deleted, quarantined or unplayable), 409 TRACK_AUDIO_PROCESSING,
// 403 TRACK_NOT_DOWNLOADABLE (original refused), 406 STREAM_NOT_ACCEPTABLE, 403/400 STREAM_LINK_* (signed links).
import type { Config } from '../../platform/config/config.ts';
import { resolveJwtSecret } from '../../platform/config/secrets.ts';
import type { Pool } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { ALLOW, deny } from '../../platform/policy/policy.ts';
import { createFilesBridge, type DeliveryAnswer, type FilesBridge } from '../files/index.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { StreamLinkSigner, type StreamLink } from './stream.links.ts';
import {
  DEFAULT_QUALITY,
  negotiate,
  preferenceOrder,
  RENDITION_OF,
  type Candidate,
  type Quality,
} from './stream.negotiation.ts';
import { tracksPolicy } from './tracks.policy.ts';
import { createTracksRepository, type TrackRow, type TracksRepository } from './tracks.repository.ts';

export interface StreamRequest {
  caller: Caller | null;
  trackId: string;
  quality?: Quality;
  /** The client's Accept header, when it said what it accepts. */
  accept?: string;
  headers: { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };
  headOnly?: boolean;
  /** `expires` and `signature` of a signed stream link (POST /v1/tracks/{id}/stream-links), if any. */
  link?: { expires?: number; signature?: string };
}

export interface StreamAnswer {
  delivery: DeliveryAnswer;
  /** The file whose bytes go out (a rendition, or the original). */
  fileId: string;
  quality: Quality;
  mimeType: string;
}

export interface StreamServiceDeps {
  repository: TracksRepository;
  files: FilesBridge;
  signer: () => Promise<StreamLinkSigner>;
  clock?: () => Date;
}

/** The longest and shortest life of a signed stream link, in seconds. */
export const LINK_TTL = { min: 60, max: 86_400, default: 3600 } as const;

const EXTENSION_OF: Record<string, string> = {
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/mpeg': 'mp3',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/aiff': 'aiff',
  'audio/x-aiff': 'aiff',
};

/** The name a player or a browser shows and saves: the track's title, the file's kind. */
function fileNameOf(title: string, mimeType: string, originalName?: string): string {
  const fromName = originalName && /\.([A-Za-z0-9]{1,5})$/.exec(originalName)?.[1];
  const extension = fromName ?? EXTENSION_OF[mimeType.toLowerCase()] ?? 'audio';
  return `${title.replace(/[/\\]/g, '_')}.${extension.toLowerCase()}`;
}

export class StreamService {
  readonly #deps: StreamServiceDeps;
  readonly #now: () => Date;

  constructor(deps: StreamServiceDeps) {
    this.#deps = deps;
    this.#now = deps.clock ?? (() => new Date());
  }

  /**
   * The track the request may play: by the caller's rights (tracksPolicy.mayListen), or by a valid signed link,
   * which admits whoever holds it while the track is not deleted.
   */
  async #listenable(request: StreamRequest, quality: Quality): Promise<TrackRow> {
    const row = await this.#deps.repository.findTrack(request.trackId);
    const { expires, signature } = request.link ?? {};
    if (expires === undefined && signature === undefined) {
      authorize(tracksPolicy.mayListen(request.caller, row), StreamingProblems.trackNotFound);
      return row as TrackRow;
    }
    if (expires === undefined || signature === undefined)
      throw new ApiError(StreamingProblems.streamLinkIncomplete, 'expires and signature go together', [
        { field: 'query.signature', rule: 'dependentRequired', message: 'expires and signature go together' },
      ]);
    const signer = await this.#deps.signer();
    if (!signer.verify(request.trackId, quality, { expires, signature }, this.#now()))
      throw new ApiError(
        StreamingProblems.streamLinkInvalid,
        'The link is not valid, or has expired: ask for a new one',
        [
          {
            field: 'query.signature',
            rule: 'signature',
            message: 'is not a valid signature for this track and quality',
          },
        ],
      );
    authorize(
      row && row.deleted_at === null ? ALLOW : deny('hidden', 'No such track'),
      StreamingProblems.trackNotFound,
    );
    return row as TrackRow;
  }

  /** The original may go to its creator, and to anyone when the creator made the track downloadable. */
  #originalAllowed(caller: Caller | null, track: TrackRow): boolean {
    return track.is_downloadable || caller?.userId === track.creator_id;
  }

  /** Refuses audio that cannot be played now: still processing (409) or gone, quarantined, failed (404). */
  async #audioOf(track: TrackRow) {
    const file = await this.#deps.files.findFile(track.file_id);
    if (!file || file.deleted || file.processing === 'quarantined' || file.processing === 'failed')
      throw new ApiError(StreamingProblems.trackAudioUnavailable, 'The audio file of this track cannot be served');
    if (file.processing !== 'processed')
      throw new ApiError(
        StreamingProblems.trackAudioProcessing,
        'The audio of this track is still being scanned and converted: try again in a moment',
      );
    return file;
  }

  /** Anyone may hear it without a token: shared caches may keep its bytes (public or unlisted, published). */
  #openToAll(track: TrackRow): boolean {
    return tracksPolicy.mayListen(null, track).allowed;
  }

  async stream(request: StreamRequest): Promise<StreamAnswer> {
    const quality = request.quality ?? DEFAULT_QUALITY;
    const track = await this.#listenable(request, quality);
    const original = await this.#audioOf(track);
    // A link signed for the original was checked when it was signed; any other link falls back to it no more
    // than its holder's own rights allow.
    const viaLink = request.link?.signature !== undefined;
    const originalAllowed = this.#originalAllowed(request.caller, track) || (viaLink && quality === 'original');
    if (quality === 'original' && !originalAllowed)
      throw new ApiError(
        StreamingProblems.trackNotDownloadable,
        'The creator offers this track in its streaming renditions only: ask for quality=high or low',
        [{ field: 'query.quality', rule: 'downloadable', message: 'original is not offered for this track' }],
      );

    const renditions = await this.#deps.files.renditionsOf(original.id);
    const available: Candidate[] = [{ quality: 'original', fileId: original.id, mimeType: original.mime_type }];
    for (const level of ['low', 'high'] as const) {
      const target = RENDITION_OF[level];
      const found = renditions.find((r) => r.format === target.format && r.quality === target.quality);
      if (found) available.push({ quality: level, fileId: found.file_id, mimeType: found.mime_type });
    }
    const candidates = preferenceOrder(quality, available, originalAllowed);
    if (candidates.length === 0)
      throw new ApiError(
        StreamingProblems.trackAudioUnavailable,
        'This track has no streaming rendition yet, and its original is not offered',
      );
    const chosen = negotiate(candidates, request.accept);
    if (!chosen)
      throw new ApiError(
        StreamingProblems.streamNotAcceptable,
        `This track can be sent as ${[...new Set(candidates.map((c) => c.mimeType))].join(' or ')}`,
        [{ field: 'headers.accept', rule: 'acceptable', message: 'admits none of the media types of this track' }],
      );

    const delivery = await this.#deps.files.deliver({
      caller: request.caller,
      fileId: chosen.fileId,
      grant: {
        rule: 'track',
        open: true,
        shareable: this.#openToAll(track) && !viaLink,
        disposition: { kind: 'inline', filename: fileNameOf(track.title, chosen.mimeType) },
      },
      headers: request.headers,
      headOnly: request.headOnly ?? false,
    });
    delivery.headers.vary = 'Accept';
    return { delivery, fileId: chosen.fileId, quality: chosen.quality, mimeType: chosen.mimeType };
  }

  /**
   * The original file as an attachment, for the creator or when the track is downloadable (403 otherwise).
   * A download is recorded (track_downloads, counted by trigger) when the bytes from the first one go out to
   * someone other than the creator: resuming a download with a later range, a HEAD or a 304 does not count again.
   */
  async download(request: StreamRequest): Promise<StreamAnswer> {
    const track = await this.#listenable({ ...request, link: undefined }, 'original');
    if (!this.#originalAllowed(request.caller, track))
      throw new ApiError(StreamingProblems.trackNotDownloadable, 'The creator does not offer this track for download');
    const original = await this.#audioOf(track);
    const delivery = await this.#deps.files.deliver({
      caller: request.caller,
      fileId: original.id,
      grant: {
        rule: 'track',
        open: true,
        shareable: false,
        disposition: {
          kind: 'attachment',
          filename: fileNameOf(track.title, original.mime_type, original.original_filename),
        },
      },
      headers: request.headers,
      headOnly: request.headOnly ?? false,
    });
    const fromStart =
      delivery.status === 200 || (delivery.status === 206 && /^bytes 0-/.test(delivery.headers['content-range'] ?? ''));
    if (fromStart && !request.headOnly && request.caller?.userId !== track.creator_id)
      await this.#deps.repository.recordDownload(track.id, request.caller?.userId ?? null);
    return { delivery, fileId: original.id, quality: 'original', mimeType: original.mime_type };
  }

  /** The track's cover art, to whoever may see the track. */
  async cover(request: StreamRequest): Promise<StreamAnswer> {
    const track = await this.#listenable({ ...request, link: undefined }, DEFAULT_QUALITY);
    if (track.cover_art_file_id === null) throw new ApiError(CommonProblems.notFound, 'This track has no cover art');
    const file = await this.#deps.files.findFile(track.cover_art_file_id);
    if (!file || file.deleted) throw new ApiError(CommonProblems.notFound, 'This track has no cover art');
    const delivery = await this.#deps.files.deliver({
      caller: request.caller,
      fileId: file.id,
      grant: { rule: 'track', open: true, shareable: this.#openToAll(track) },
      headers: request.headers,
      headOnly: request.headOnly ?? false,
    });
    return { delivery, fileId: file.id, quality: 'original', mimeType: file.mime_type };
  }

  /**
   * A link that plays the track at that quality without a token until it expires: for whoever may play it now
   * (the original only when they may have it).
   */
  async signLink(
    caller: Caller,
    trackId: string,
    options: { quality?: Quality; ttl_seconds?: number },
  ): Promise<{ url: string; quality: Quality; expires_at: string }> {
    const quality = options.quality ?? DEFAULT_QUALITY;
    const track = await this.#listenable({ caller, trackId, headers: {} }, quality);
    await this.#audioOf(track);
    if (quality === 'original' && !this.#originalAllowed(caller, track))
      throw new ApiError(StreamingProblems.trackNotDownloadable, 'The original of this track is not offered', [
        { field: 'body.quality', rule: 'downloadable', message: 'original is not offered for this track' },
      ]);
    const ttl = options.ttl_seconds ?? LINK_TTL.default;
    const link: StreamLink = (await this.#deps.signer()).sign(
      trackId,
      quality,
      new Date(this.#now().getTime() + ttl * 1000),
    );
    return {
      url: `/v1/tracks/${trackId}/stream?quality=${quality}&expires=${link.expires}&signature=${link.signature}`,
      quality,
      expires_at: new Date(link.expires * 1000).toISOString(),
    };
  }
}

/** A StreamService over the pool and configuration, for the module and for other surfaces (OpenSubsonic). */
export function createStreamService(deps: { pool: Pool; config: Config; files?: FilesBridge }): StreamService {
  let signer: Promise<StreamLinkSigner> | undefined;
  return new StreamService({
    repository: createTracksRepository(deps.pool),
    files: deps.files ?? createFilesBridge({ pool: deps.pool, config: deps.config }),
    signer: () => (signer ??= resolveJwtSecret(deps.config).then((secret) => new StreamLinkSigner(secret))),
  });
}
