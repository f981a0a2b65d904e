// The year the seed data covers (spec §1.3: volumes "after one year"). Everything happens in [start, anchor):
// entities (users, tracks, rooms...) are created along a growth curve, events (plays, messages, audit rows...) along
// an activity curve that grows with the user base. Both are monotonic in the row index, so "the rows that existed
// at time t" is a prefix of the index range, and a row created at t can reference any of them.

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** The seed covers the 365 days before the anchor (the retention of the raw events, spec §18.1). */
export const WINDOW_DAYS = 365;
/** Share of every kind of entity created in the launch weeks (the first users, their first tracks). */
const LAUNCH_SHARE = 0.25;
const LAUNCH_DAYS = 30;
/** Activity density at the start of the year relative to its end: activity grows with the user base. */
const ACTIVITY_START_DENSITY = 0.3;

export class Timeline {
  /** Exclusive end of the data, UTC midnight by default so that a run on the same day gives the same data. */
  readonly anchor: number;
  readonly start: number;
  readonly span: number;
  private readonly launchEnd: number;
  private readonly growthSpan: number;

  constructor(anchor: Date) {
    this.anchor = anchor.getTime();
    this.start = this.anchor - WINDOW_DAYS * DAY_MS;
    this.span = this.anchor - this.start;
    this.launchEnd = this.start + LAUNCH_DAYS * DAY_MS;
    // the last entity is created an hour before the anchor, so that its children fit after it
    this.growthSpan = this.anchor - HOUR_MS - this.launchEnd;
  }

  /** Creation time of the entity at `fraction` in [0, 1) of its table (fraction = (index + jitter) / count). */
  entityTime(fraction: number): number {
    if (fraction < LAUNCH_SHARE) return this.start + (fraction / LAUNCH_SHARE) * LAUNCH_DAYS * DAY_MS;
    return this.launchEnd + ((fraction - LAUNCH_SHARE) / (1 - LAUNCH_SHARE)) * this.growthSpan;
  }

  /** The share of a table's entities created by time t: the inverse of entityTime. */
  entityFraction(t: number): number {
    if (t <= this.start) return 0;
    if (t < this.launchEnd) return (LAUNCH_SHARE * (t - this.start)) / (LAUNCH_DAYS * DAY_MS);
    return Math.min(1, LAUNCH_SHARE + ((1 - LAUNCH_SHARE) * (t - this.launchEnd)) / this.growthSpan);
  }

  /**
   * Time of the event at `fraction` in [0, 1) of an event table, under a density rising linearly from
   * ACTIVITY_START_DENSITY to 1 over the year (inverse of its cumulative distribution).
   */
  eventTime(fraction: number): number {
    const a = ACTIVITY_START_DENSITY;
    const tau = (-a + Math.sqrt(a * a + (1 - a) * (1 + a) * fraction)) / (1 - a);
    return this.start + tau * this.span;
  }

  /**
   * A time in [from, until), `position` in [0, 1): used for rows that come after their parents. A `from` later than
   * the end is pulled back to a second before it: nothing is dated after the anchor.
   */
  after(from: number, position: number, until = this.anchor): number {
    const begin = Math.min(Math.max(from, this.start), until - 1000);
    return begin + position * (until - begin - 1000);
  }
}

/** ISO 8601 with milliseconds and Z: the text form COPY reads into timestamptz. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

/** The UTC calendar day of `ms`, YYYY-MM-DD. */
export function isoDate(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().slice(0, 10);
}

/** UTC midnight of the day of `date`: the default anchor. */
export function utcMidnight(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}
