// Wires the statistics of the analytics domain (issue 18 §6-7, 10; ADR 0093): repositories -> service -> routes,
// registered under /v1 by the composition root. k comes from the configuration, checked against its floor here
// too, so that a hand-built configuration cannot lower it either.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { kAnonymityThreshold } from '../admin/index.ts';
import { createCreatorStatsRepository } from './creator-stats.repository.ts';
import { checkedK } from './k-anonymity.ts';
import { createPlatformMetricsRepository } from './platform-metrics.repository.ts';
import { registerStatsRoutes } from './stats.routes.ts';
import { StatsService } from './stats.service.ts';

/** Creator statistics of one's own tracks, products and courses, and platform metrics for staff. */
export const analyticsModule: DomainModule = ({ pool, config }) => {
  const k = checkedK(config.analytics?.kAnonymity);
  return (app, _options, done) => {
    registerStatsRoutes(
      app,
      new StatsService({
        creators: createCreatorStatsRepository(pool.db),
        platform: createPlatformMetricsRepository(pool.db),
        k,
        raisedK: () => kAnonymityThreshold(pool),
      }),
    );
    done();
  };
};
