// Likes (issue 13 §3): like, unlike, the like state of a track and the person's liked tracks. Liking needs to see
// the track (tracksPolicy.mayListen); unliking never does, so that a like of a track gone private can still go.
import type { NotificationCause } from '../notifications/index.ts';
import type { PublicName } from '../profiles/index.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { LikedTrack, LikeListQuery, LikeState } from './likes.schemas.ts';
import type { LikedTrackRow, LikesRepository } from './likes.repository.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy } from './tracks.policy.ts';

export interface LikesServiceDeps {
  repository: LikesRepository;
  /** Public names of accounts by id (profiles domain); a missing id has no live account. */
  publicNames: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
  /** Notifications domain: a like tells the track's creator, an unlike takes it back, in the like's transaction. */
  notifications?: {
    notify: (tx: Database, cause: NotificationCause) => Promise<void>;
    retract: (tx: Database, cause: NotificationCause) => Promise<void>;
  };
}

const iso = (date: Date) => date.toISOString();

export class LikesService {
  readonly #deps: LikesServiceDeps;

  constructor(deps: LikesServiceDeps) {
    this.#deps = deps;
  }

  async #visibleTrack(caller: Caller, trackId: string): Promise<{ creator_id: string }> {
    const track = await this.#deps.repository.findTrack(trackId);
    authorize(tracksPolicy.mayListen(caller, track), StreamingProblems.trackNotFound);
    return track!;
  }

  #likeCause(caller: Caller, trackId: string, creatorId: string): NotificationCause {
    return { recipientId: creatorId, actorId: caller.userId, type: 'like', entityType: 'track', entityId: trackId };
  }

  /** Likes a track the caller may see; liking it again changes nothing. `created` says which it was. */
  async like(caller: Caller, trackId: string): Promise<{ created: boolean; state: LikeState }> {
    const track = await this.#visibleTrack(caller, trackId);
    const notifications = this.#deps.notifications;
    const cause = this.#likeCause(caller, trackId, track.creator_id);
    const { created, likedAt } = await this.#deps.repository.like(
      caller.userId,
      trackId,
      notifications && ((tx) => notifications.notify(tx, cause)),
    );
    const likeCount = await this.#deps.repository.likeCount(trackId);
    return { created, state: { track_id: trackId, liked: true, liked_at: iso(likedAt), like_count: likeCount } };
  }

  /** Removes the caller's like, if any, whatever the track's state: the answer is the same either way. */
  async unlike(caller: Caller, trackId: string): Promise<void> {
    const notifications = this.#deps.notifications;
    const track = notifications ? await this.#deps.repository.findTrack(trackId) : undefined;
    await this.#deps.repository.unlike(
      caller.userId,
      trackId,
      notifications && track && ((tx) => notifications.retract(tx, this.#likeCause(caller, trackId, track.creator_id))),
    );
  }

  async state(caller: Caller, trackId: string): Promise<LikeState> {
    await this.#visibleTrack(caller, trackId);
    const [likedAt, likeCount] = await Promise.all([
      this.#deps.repository.likedAt(caller.userId, trackId),
      this.#deps.repository.likeCount(trackId),
    ]);
    return {
      track_id: trackId,
      liked: likedAt !== null,
      liked_at: likedAt ? iso(likedAt) : null,
      like_count: likeCount,
    };
  }

  /**
   * The caller's likes, newest first. A track the caller may no longer see (deleted, made private, unpublished)
   * stays in the list as unavailable, without its details (ADR 0053), so pages never shift and it can be unliked.
   */
  async list(caller: Caller, query: LikeListQuery): Promise<{ items: LikedTrack[]; next_cursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.#deps.repository.listLikes(caller.userId, after, query.limit);
    const kept = rows.slice(0, query.limit);
    const visible = kept.filter((row) => tracksPolicy.mayListen(caller, row.track).allowed);
    const names = await this.#deps.publicNames(visible.map((row) => row.track.creator_id));
    const last = kept.at(-1);
    return {
      items: kept.map((row) => this.#item(row, visible.includes(row) ? names : null)),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.like_id }) : null,
    };
  }

  #item(row: LikedTrackRow, names: Map<string, PublicName> | null): LikedTrack {
    const creator = names?.get(row.track.creator_id);
    const base = { track_id: row.track.id, liked_at: iso(row.liked_at) };
    if (!creator) return { ...base, available: false, track: null };
    const { track } = row;
    return {
      ...base,
      available: true,
      track: {
        id: track.id,
        title: track.title,
        artist: track.artist,
        album: track.album,
        genre: track.genre,
        duration_seconds: track.duration,
        cover_art_file_id: track.cover_art_file_id,
        creator: { id: creator.id, username: creator.username, display_name: creator.display_name },
        play_count: track.play_count,
        like_count: track.like_count,
        comment_count: track.comment_count,
        published_at: track.published_at ? iso(track.published_at) : null,
      },
    };
  }
}
