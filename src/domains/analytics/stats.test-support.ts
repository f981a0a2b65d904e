// Shared by the statistics tests: raw analytics events written directly (as the ingestion would), the nightly
// aggregation run with a pinned clock, and a scenario with one listener to hide among others.
import assert from 'node:assert/strict';
import { allFactories } from '../../../test/factories/index.ts';
import type { TestApp } from '../../../test/helpers/app.ts';
import { createRetentionAnalytics } from '../../lifecycle/jobs/retention-analytics.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { as, person, track, type Person } from '../streaming/playlists.test-support.ts';

export { as, person, track, type Person };

export interface RawEvent {
  day: string;
  event_type: 'play' | 'page_view' | 'add_to_cart';
  entity_type: 'track' | 'product' | 'course';
  entity_id: string;
  user_id: string | null;
  device_type?: 'mobile' | 'desktop' | 'web' | null;
  source?: string | null;
  completion?: number;
  seconds?: number;
}

/** Inserts raw events at noon UTC of their day, with the properties the ingestion would write. */
export async function insertEvents(testApp: TestApp, events: readonly RawEvent[]): Promise<void> {
  for (const event of events) {
    const properties: Record<string, unknown> = {};
    if (event.source !== undefined && event.source !== null) properties.source = event.source;
    if (event.event_type === 'play') {
      properties.completion_percentage = event.completion ?? 100;
      properties.played_seconds = event.seconds ?? 180;
    }
    await testApp.database.sql`
      INSERT INTO analytics_events (event_date, created_at, event_type, user_id, entity_type, entity_id, properties,
                                    device_type)
      VALUES (${event.day}::date, ${`${event.day}T12:00:00Z`}::timestamptz, ${event.event_type}, ${event.user_id},
              ${event.entity_type}, ${event.entity_id}, ${testApp.database.sql.json(properties as never)},
              ${event.device_type ?? null})`;
  }
}

/** The nightly aggregation, with its clock pinned after the test's days (and within their 12 months). */
export async function aggregate(testApp: TestApp, now = new Date('2026-03-20T04:00:00Z')): Promise<void> {
  const result = await runJob(createRetentionAnalytics(), {
    db: testApp.pool.db,
    dataDir: '/nonexistent',
    triggeredBy: 'manual',
    now,
  });
  assert.equal(result.status, 'succeeded', result.error ?? '');
}

export async function staff(testApp: TestApp, role: 'admin' | 'moderator'): Promise<Person> {
  const who = await person(testApp);
  await testApp.database.sql`UPDATE users SET role = ${role} WHERE id = ${who.id}`;
  return who;
}

export async function product(testApp: TestApp, sellerId: string): Promise<string> {
  return String((await allFactories.products!(testApp.database.sql, { seller_id: sellerId })).id);
}

export async function course(testApp: TestApp, creatorId: string): Promise<string> {
  return String((await allFactories.courses!(testApp.database.sql, { creator_id: creatorId })).id);
}

export const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07'];
const DEVICES = ['mobile', 'desktop'] as const;

export interface Scenario {
  creator: Person;
  stranger: Person;
  victim: Person;
  crowd: Person[];
  trackA: string;
  /** A track only the victim ever played. */
  trackB: string;
  productId: string;
  courseId: string;
}

/**
 * A creator's two tracks, a product and a course; a crowd of 12 listeners who play track A on mobile or desktop,
 * from a playlist or a search (all of them on days 1-4, 6 on day 5, 5 on day 6), and one victim who is alone wherever they go: track A on day 7, the
 * web player and the album source on day 3, track B on day 2, the product's cart on day 1.
 */
export async function scenario(testApp: TestApp): Promise<Scenario> {
  const creator = await person(testApp);
  const stranger = await person(testApp);
  const victim = await person(testApp);
  const crowd: Person[] = [];
  for (let i = 0; i < 12; i++) crowd.push(await person(testApp));
  const trackA = (await track(testApp, creator.id)).id;
  const trackB = (await track(testApp, creator.id)).id;
  const productId = await product(testApp, creator.id);
  const courseId = await course(testApp, creator.id);

  const events: RawEvent[] = [];
  DAYS.slice(0, 6).forEach((day, d) => {
    crowd.forEach((listener, i) => {
      if ((d === 4 && i >= 6) || (d === 5 && i >= 5)) return;
      const plays = (i + d) % 3 === 0 ? 2 : 1;
      for (let p = 0; p < plays; p++) {
        events.push({
          day,
          event_type: 'play',
          entity_type: 'track',
          entity_id: trackA,
          user_id: listener.id,
          device_type: DEVICES[(i + p) % 2],
          source: i < 6 ? 'playlist' : 'search',
          completion: (i * 13 + d * 7 + p * 29) % 101,
          seconds: 30 + i * 11 + d,
        });
      }
    });
    // An anonymous play: an event, never a person.
    if (d === 0) {
      events.push({ day, event_type: 'play', entity_type: 'track', entity_id: trackA, user_id: null, completion: 40 });
    }
  });
  events.push(
    ...[1, 2, 3].map(() => ({
      day: '2026-03-07',
      event_type: 'play' as const,
      entity_type: 'track' as const,
      entity_id: trackA,
      user_id: victim.id,
      device_type: 'web' as const,
      source: 'album',
      completion: 77,
      seconds: 123,
    })),
    {
      day: '2026-03-03',
      event_type: 'play',
      entity_type: 'track',
      entity_id: trackA,
      user_id: victim.id,
      device_type: 'web',
      source: 'album',
      completion: 99,
      seconds: 321,
    },
    {
      day: '2026-03-02',
      event_type: 'play',
      entity_type: 'track',
      entity_id: trackB,
      user_id: victim.id,
      device_type: 'mobile',
      source: 'search',
    },
    { day: '2026-03-01', event_type: 'add_to_cart', entity_type: 'product', entity_id: productId, user_id: victim.id },
  );
  for (const who of [...crowd.slice(0, 6), victim]) {
    events.push({
      day: '2026-03-01',
      event_type: 'page_view',
      entity_type: 'product',
      entity_id: productId,
      user_id: who.id,
      device_type: who === victim ? 'web' : 'desktop',
    });
    events.push({
      day: '2026-03-02',
      event_type: 'page_view',
      entity_type: 'course',
      entity_id: courseId,
      user_id: who.id,
      device_type: 'mobile',
    });
  }
  await insertEvents(testApp, events);
  await aggregate(testApp);
  return { creator, stranger, victim, crowd, trackA, trackB, productId, courseId };
}
