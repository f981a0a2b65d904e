// Wires the search domain (issue 18 §1-4): repository -> service -> routes, registered under /v1 by the composition
// root. The index itself is kept in step by migration 0053's triggers (ADR 0087).
import type { DomainModule } from '../../app/module-dependencies.ts';
import { searchHistoryEnabledOf, setSearchHistoryEnabled } from '../profiles/index.ts';
import { createSearchRepository } from './search.repository.ts';
import { registerSearchRoutes } from './search.routes.ts';
import { SearchService } from './search.service.ts';

/** One search over Veza, the searcher's history and popular searches (spec §14, issue 18; ADRs 0087, 0088). */
export const searchModule: DomainModule = ({ pool }) => {
  return (app, _options, done) => {
    registerSearchRoutes(
      app,
      new SearchService({
        repository: createSearchRepository(pool.db),
        historyEnabledOf: (userId) => searchHistoryEnabledOf(pool.db, userId),
        setHistoryEnabled: (userId, value) => setSearchHistoryEnabled(pool.db, userId, value),
      }),
    );
    done();
  };
};
