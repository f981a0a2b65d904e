// Creator statistics and platform metrics (issue 18 §6-7, 10; ADR 0093). Every figure that leaves this file is a
// stored daily cell describing at least k distinct people, a merged `other` cell built by publishBreakdown, or a
// sum of such published cells: never a total computed from the stored rows themselves, so that two overlapping
// queries can never be subtracted into a withheld figure.
import { ApiError } from '../../platform/http/problem.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type {
  CellRow,
  CreatorStatsRepository,
  PublishedTrackTotals,
  StatsEntityKind,
  TrackDayRow,
} from './creator-stats.repository.ts';
import { publishBreakdown, sumPublished, type StoredCell } from './k-anonymity.ts';
import type { MetricRow, PlatformMetricsRepository } from './platform-metrics.repository.ts';
import type {
  CourseStats,
  PlatformMetrics,
  ProductStats,
  RangeQuery,
  Series,
  TrackStats,
  TracksOverview,
} from './stats.schemas.ts';
import { StatsProblems } from './stats.errors.ts';
import { mayReadEntityStats, mayReadPlatformMetrics } from './stats.policy.ts';

/** The longest range served at once: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;

function rangeError(field: 'from' | 'to', rule: string, message: string): ApiError {
  return new ApiError(StatsProblems.rangeInvalid, message, [{ field: `querystring/${field}`, rule, message }]);
}

/** A real calendar day (the schema checked only its shape), as a UTC timestamp. */
function dayOf(field: 'from' | 'to', value: string): number {
  const time = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw rangeError(field, 'date', `${field} must be a real calendar day, YYYY-MM-DD`);
  }
  return time;
}

export function checkedRange(query: RangeQuery): { from: string; to: string } {
  const from = dayOf('from', query.from);
  const to = dayOf('to', query.to);
  if (to < from) throw rangeError('to', 'order', 'to must not be before from');
  if ((to - from) / DAY_MS + 1 > MAX_RANGE_DAYS) {
    throw rangeError('to', 'maxDays', `the range may span at most ${MAX_RANGE_DAYS} days`);
  }
  return { from: query.from, to: query.to };
}

type TrackDay = TrackStats['days'][number];
type TrackTotals = TrackStats['total'];
type Breakdown = TrackStats['sources'];

function publishTrackDay(row: TrackDayRow, k: number): TrackDay {
  if (row.listeners < k) return { day: row.day, suppressed: true };
  return {
    day: row.day,
    suppressed: false,
    plays: row.plays,
    listeners: row.listeners,
    completed_plays: row.completed_plays,
    played_seconds: row.played_seconds,
    // Rounded for display only; the totals' average is recomputed from the published sums, not from these.
    average_completion: row.plays === 0 ? null : Math.round((row.completion_sum / row.plays) * 100) / 100,
  };
}

/** Totals of published track days only, with the completion average weighted by plays (from the exact sums). */
function trackTotals(rows: readonly TrackDayRow[], k: number): TrackTotals {
  const published = rows.filter((row) => row.listeners >= k);
  const sum = (pick: (row: TrackDayRow) => number) => published.reduce((total, row) => total + pick(row), 0);
  const plays = sum((row) => row.plays);
  return {
    plays,
    listener_days: sum((row) => row.listeners),
    completed_plays: sum((row) => row.completed_plays),
    played_seconds: sum((row) => row.played_seconds),
    average_completion: plays === 0 ? null : Math.round((sum((row) => row.completion_sum) / plays) * 100) / 100,
    published_days: published.length,
    suppressed_days: rows.length - published.length,
  };
}

/** Adds up per-track totals of published days (the overview); the average from the exact sums. */
function addTotals(parts: readonly Omit<PublishedTrackTotals, 'track_id'>[]): TrackTotals {
  const sum = (pick: (part: Omit<PublishedTrackTotals, 'track_id'>) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const plays = sum((part) => part.plays);
  return {
    plays,
    listener_days: sum((part) => part.listener_days),
    completed_plays: sum((part) => part.completed_plays),
    played_seconds: sum((part) => part.played_seconds),
    average_completion: plays === 0 ? null : Math.round((sum((part) => part.completion_sum) / plays) * 100) / 100,
    published_days: sum((part) => part.published_days),
    suppressed_days: sum((part) => part.suppressed_days),
  };
}

/** One dimension's cells, published day by day, and its totals as sums of what was published. */
function breakdown(cells: readonly (StoredCell & { day: string })[], k: number): Breakdown {
  const byDay = new Map<string, StoredCell[]>();
  for (const cell of cells) {
    const list = byDay.get(cell.day) ?? [];
    list.push({ value: cell.value, events: cell.events, people: cell.people });
    byDay.set(cell.day, list);
  }
  const days = [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, list]) => ({ day, cells: publishBreakdown(list, k) }))
    .filter((day) => day.cells.length > 0);
  return { days, total: sumPublished(days) };
}

function series(cells: readonly CellRow[], eventType: string, k: number): Series {
  const mine = cells.filter((cell) => cell.event_type === eventType);
  const totals = mine.filter((cell) => cell.dimension === 'total');
  const published = totals.filter((cell) => cell.people >= k);
  return {
    days: totals.map((cell) =>
      cell.people >= k
        ? { day: cell.day, suppressed: false as const, events: cell.events, people: cell.people }
        : { day: cell.day, suppressed: true as const },
    ),
    total: {
      events: published.reduce((sum, cell) => sum + cell.events, 0),
      people_days: published.reduce((sum, cell) => sum + cell.people, 0),
      published_days: published.length,
      suppressed_days: totals.length - published.length,
    },
    devices: breakdown(
      mine.filter((cell) => cell.dimension === 'device_type'),
      k,
    ),
  };
}

export interface StatsServiceDeps {
  creators: CreatorStatsRepository;
  platform: PlatformMetricsRepository;
  /** Already checked against the floor (checkedK): VEZA_ANALYTICS_K_ANONYMITY. */
  k: number;
  /**
   * The admins' setting analytics.k_anonymity_threshold (ADR 0096), read per request from the instance's copy: the
   * larger of the two is in force, so the setting can only raise k.
   */
  raisedK?: () => Promise<number>;
}

export class StatsService {
  readonly #deps: StatsServiceDeps;

  constructor(deps: StatsServiceDeps) {
    this.#deps = deps;
  }

  async #k(): Promise<number> {
    const raised = this.#deps.raisedK ? await this.#deps.raisedK() : 0;
    return Math.max(this.#deps.k, raised);
  }

  async #owned(caller: Caller, kind: StatsEntityKind, id: string): Promise<void> {
    authorize(mayReadEntityStats(caller, await this.#deps.creators.ownerOf(kind, id)), StatsProblems.notFound);
  }

  async tracksOverview(caller: Caller, query: RangeQuery): Promise<TracksOverview> {
    const { from, to } = checkedRange(query);
    const { creators } = this.#deps;
    const k = await this.#k();
    const tracks = await creators.tracksOf(caller.userId);
    const sums = new Map(
      (
        await creators.publishedTrackTotals(
          tracks.map((track) => track.id),
          from,
          to,
          k,
        )
      ).map((row) => [row.track_id, row]),
    );
    const perTrack = tracks.map((track) => ({
      track_id: track.id,
      title: track.title,
      total: addTotals(sums.has(track.id) ? [sums.get(track.id)!] : []),
    }));
    // The sum of the per-track totals above, themselves sums of published track-days.
    return { k, from, to, tracks: perTrack, total: addTotals([...sums.values()]) };
  }

  async trackStats(caller: Caller, trackId: string, query: RangeQuery): Promise<TrackStats> {
    const { from, to } = checkedRange(query);
    await this.#owned(caller, 'track', trackId);
    const { creators } = this.#deps;
    const k = await this.#k();
    const [rows, cells] = await Promise.all([
      creators.trackDays([trackId], from, to),
      creators.cells(trackId, from, to),
    ]);
    const plays = cells.filter((cell) => cell.event_type === 'play');
    return {
      k,
      from,
      to,
      track_id: trackId,
      days: rows.map((row) => publishTrackDay(row, k)),
      total: trackTotals(rows, k),
      sources: breakdown(
        plays.filter((cell) => cell.dimension === 'source'),
        k,
      ),
      devices: breakdown(
        plays.filter((cell) => cell.dimension === 'device_type'),
        k,
      ),
    };
  }

  async productStats(caller: Caller, productId: string, query: RangeQuery): Promise<ProductStats> {
    const { from, to } = checkedRange(query);
    await this.#owned(caller, 'product', productId);
    const { creators } = this.#deps;
    const k = await this.#k();
    const cells = await creators.cells(productId, from, to);
    return {
      k,
      from,
      to,
      product_id: productId,
      views: series(cells, 'page_view', k),
      add_to_cart: series(cells, 'add_to_cart', k),
    };
  }

  async courseStats(caller: Caller, courseId: string, query: RangeQuery): Promise<CourseStats> {
    const { from, to } = checkedRange(query);
    await this.#owned(caller, 'course', courseId);
    const { creators } = this.#deps;
    const k = await this.#k();
    const cells = await creators.cells(courseId, from, to);
    return {
      k,
      from,
      to,
      course_id: courseId,
      views: series(cells, 'page_view', k),
      learning_statistics: `/v1/courses/${courseId}/statistics`,
    };
  }

  /**
   * daily_metrics counts events, not people: a cell is published when it counts at least k events, a necessary
   * condition of describing k people but not a sufficient one (ADR 0093). Staff only.
   */
  async platformMetrics(caller: Caller | null, query: RangeQuery): Promise<PlatformMetrics> {
    authorize(mayReadPlatformMetrics(caller));
    const { from, to } = checkedRange(query);
    const { platform } = this.#deps;
    const k = await this.#k();
    const rows = await platform.daily(from, to);
    const asCells = (dimension: string) =>
      rows
        .filter((row) => row.metric === 'events' && row.dimension === dimension)
        .map((row) => ({ day: row.day, value: row.value, events: row.amount, people: row.amount }));
    const totals = rows.filter((row) => row.metric === 'events' && row.dimension === 'total');
    const playsOf = new Map(
      rows
        .filter((row) => row.metric === 'events' && row.dimension === 'event_type' && row.value === 'play')
        .map((row) => [row.day, row.amount]),
    );
    const daySeries = (list: readonly MetricRow[], gate: (row: MetricRow) => number) => {
      const days = list.map((row) =>
        gate(row) >= k
          ? { day: row.day, suppressed: false as const, value: row.amount }
          : { day: row.day, suppressed: true as const },
      );
      const total = days.reduce((sum, day) => sum + (day.suppressed ? 0 : day.value), 0);
      return { days, total: Math.round(total) };
    };
    const withoutPeople = (b: Breakdown): Breakdown => ({
      days: b.days.map((day) => ({ day: day.day, cells: day.cells.map((cell) => ({ ...cell, people: null })) })),
      total: b.total,
    });
    return {
      k,
      from,
      to,
      events: daySeries(totals, (row) => row.amount),
      played_seconds: daySeries(
        rows.filter((row) => row.metric === 'played_seconds' && row.dimension === 'total'),
        (row) => playsOf.get(row.day) ?? 0,
      ),
      by_event_type: withoutPeople(breakdown(asCells('event_type'), k)),
      by_entity_type: withoutPeople(breakdown(asCells('entity_type'), k)),
      by_country: withoutPeople(breakdown(asCells('country_code'), k)),
      by_device: withoutPeople(breakdown(asCells('device_type'), k)),
    };
  }
}
