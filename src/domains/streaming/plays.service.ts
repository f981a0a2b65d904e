// Play reporting and listening history (issue 13 §2, ADR 0045): what counts as a play, one counted play per
// listener per track per window, a history the listener reads and forgets without changing any count.
import { ApiError, CommonProblems } from '../../platform/http/problem.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Caller } from '../../platform/policy/policy.ts';
import { playsPolicy } from './plays.policy.ts';
import type { HistoryRow, PlaysRepository } from './plays.repository.ts';
import type { HistoryEntry, HistoryQuery, PlayOutcome, PlayReport } from './plays.schemas.ts';
import { StreamingProblems } from './streaming.errors.ts';
import { tracksPolicy } from './tracks.policy.ts';

/** A play counts from 30 seconds of listening, or half of a track shorter than a minute (ADR 0045). */
export const MINIMUM_COUNTED_SECONDS = 30;
/** Players round and buffer: a report may exceed the track's duration by this much. */
export const PLAYED_TOLERANCE_SECONDS = 10;
/** One counted play per listener and track per window: 30 minutes, or the track's duration if longer... */
export const MIN_WINDOW_SECONDS = 30 * 60;
/** ...but never more than a day (the window rows' retention, db/table-registry.json). */
export const MAX_WINDOW_SECONDS = 24 * 3600;

/** Listening time a play of a track of `duration` seconds needs to count. */
export function minimumCountedSeconds(duration: number): number {
  return Math.max(1, Math.min(MINIMUM_COUNTED_SECONDS, Math.ceil(duration / 2)));
}

/** Seconds after a counted play of a track of `duration` seconds before the same listener's next one counts. */
export function countingWindowSeconds(duration: number): number {
  return Math.min(MAX_WINDOW_SECONDS, Math.max(MIN_WINDOW_SECONDS, duration));
}

/** Share of the track heard, 0-100, rounded down (a play never reaches 100% by rounding up). */
export function completionOf(playedSeconds: number, duration: number): number {
  return Math.min(100, Math.floor((playedSeconds * 100) / duration));
}

export interface PlaysServiceDeps {
  repository: PlaysRepository;
}

export class PlaysService {
  readonly #repository: PlaysRepository;

  constructor(deps: PlaysServiceDeps) {
    this.#repository = deps.repository;
  }

  /**
   * Records a play report of `caller`. Two statements: the track (for the policy and its duration), then one
   * INSERT that holds the window and writes the history row (plays.repository.ts). A report under the minimum
   * writes nothing. Also used by other ways of reporting plays (the OpenSubsonic scrobble).
   */
  async report(caller: Caller, trackId: string, report: PlayReport): Promise<PlayOutcome> {
    const track = await this.#repository.findTrack(trackId);
    authorize(playsPolicy.mayReportPlay(caller, track), StreamingProblems.trackNotFound);
    const { duration } = track!;
    if (report.played_duration > duration + PLAYED_TOLERANCE_SECONDS) {
      throw new ApiError(
        StreamingProblems.playedTooLong,
        `The track lasts ${duration} s; a play of it cannot last ${report.played_duration} s`,
        [
          {
            field: 'body.played_duration',
            rule: 'maximum',
            message: `must be <= ${duration + PLAYED_TOLERANCE_SECONDS} (the track's duration plus ${PLAYED_TOLERANCE_SECONDS} s)`,
          },
        ],
      );
    }
    if (report.source_id !== undefined && report.source === undefined) {
      throw new ApiError(CommonProblems.validationFailed, 'source_id names the playlist or album given as source', [
        { field: 'body.source', rule: 'dependentRequired', message: 'must be present when source_id is' },
      ]);
    }
    const minimum = minimumCountedSeconds(duration);
    const completion = completionOf(report.played_duration, duration);
    const outcome = { completion_percentage: completion, minimum_seconds: minimum };
    if (report.played_duration < minimum) {
      return { counted: false, outcome: 'too_short', history_entry_id: null, played_at: null, ...outcome };
    }
    const counted = await this.#repository.countPlay({
      track_id: trackId,
      user_id: caller.userId,
      played_duration: report.played_duration,
      completion_percentage: completion,
      source: report.source ?? null,
      source_id: report.source_id ?? null,
      device_type: report.device_type ?? null,
      window_seconds: countingWindowSeconds(duration),
    });
    if (!counted) {
      return { counted: false, outcome: 'within_window', history_entry_id: null, played_at: null, ...outcome };
    }
    return {
      counted: true,
      outcome: 'counted',
      history_entry_id: counted.id,
      played_at: counted.played_at.toISOString(),
      ...outcome,
    };
  }

  /** The caller's history, newest first; a track they may no longer hear is shown as unavailable (track null). */
  async history(caller: Caller, query: HistoryQuery) {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = toPage(await this.#repository.listHistory(caller.userId, after, query.limit), query.limit);
    return { items: page.items.map((row) => this.#entry(caller, row)), next_cursor: page.next_cursor };
  }

  #entry(caller: Caller, row: Omit<HistoryRow, 'position_stamp'>): HistoryEntry {
    const available = tracksPolicy.mayListen(caller, row).allowed;
    return {
      id: row.id,
      track_id: row.track_id,
      track: available
        ? {
            id: row.track_id,
            creator_id: row.creator_id,
            title: row.title,
            artist: row.artist,
            album: row.album,
            duration: row.duration,
            cover_art_file_id: row.cover_art_file_id,
          }
        : null,
      played_at: row.played_at.toISOString(),
      played_duration: row.played_duration,
      completion_percentage: row.completion_percentage,
      source: row.source as HistoryEntry['source'],
      source_id: row.source_id,
      device_type: row.device_type as HistoryEntry['device_type'],
    };
  }

  /** Forgets the caller's whole history; play counts and analytics keep the plays, anonymous (ADR 0045). */
  async clearHistory(caller: Caller): Promise<number> {
    return this.#repository.forgetHistory(caller.userId);
  }

  /** Forgets one entry of the caller's history; someone else's entry, or a forgotten one, does not exist. */
  async forgetEntry(caller: Caller, entryId: string): Promise<void> {
    const forgotten = await this.#repository.forgetEntry(caller.userId, entryId);
    // The UPDATE only touches the caller's own row; the policy says what a miss is to them.
    if (forgotten === 0)
      authorize(playsPolicy.mayTouchHistoryEntry(caller, null), StreamingProblems.historyEntryNotFound);
  }
}
