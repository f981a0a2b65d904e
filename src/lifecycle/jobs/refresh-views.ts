import { sql } from 'kysely';
import type { JobDefinition } from '../../platform/jobs/job.ts';

function refreshJob(view: 'trending_tracks' | 'user_statistics', schedule: string, what: string): JobDefinition {
  return {
    name: `views.${view}`,
    description: `refresh the ${view} materialized view (${what}) concurrently, without blocking readers`,
    defaultSchedule: schedule,
    async run(context) {
      // CONCURRENTLY needs the view's unique index (ADR 0014) and lets readers keep the old rows meanwhile.
      await context.transaction((tx) => sql`REFRESH MATERIALIZED VIEW CONCURRENTLY ${sql.table(view)}`.execute(tx));
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(view)}`.execute(context.db);
      context.count(view, Number(rows[0]?.n ?? 0));
    },
  };
}

/** Spec §23: trending tracks every hour, user statistics every day. */
export const refreshTrendingTracks = refreshJob('trending_tracks', '5 * * * *', 'spec §23.1, hourly');
export const refreshUserStatistics = refreshJob('user_statistics', '40 2 * * *', 'spec §23.2, daily');
