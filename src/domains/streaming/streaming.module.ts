// Wires the streaming domain: repositories -> services -> routes, registered under /v1 by the composition root.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { notify, retractNotification } from '../notifications/index.ts';
import { publicNamesOf } from '../profiles/index.ts';
import { createCommentsRepository } from './comments.repository.ts';
import { registerCommentsRoutes } from './comments.routes.ts';
import { CommentsService } from './comments.service.ts';
import { createLikesRepository } from './likes.repository.ts';
import { registerLikesRoutes } from './likes.routes.ts';
import { LikesService } from './likes.service.ts';
import { registerPlaylistsRoutes } from './playlists.routes.ts';
import { createPlaylistsService } from './playlists.service.ts';
import { createPlaysRepository } from './plays.repository.ts';
import { registerPlaysRoutes } from './plays.routes.ts';
import { PlaysService } from './plays.service.ts';
import { registerQueueRoutes } from './queue.routes.ts';
import { createQueueService } from './queue.service.ts';
import { registerSubsonicCredentials } from './subsonic/subsonic.module.ts';
import { createFilesBridge } from '../files/index.ts';
import { registerStreamRoutes } from './stream.routes.ts';
import { createStreamService } from './stream.service.ts';
import { createTracksRepository } from './tracks.repository.ts';
import { registerTracksRoutes } from './tracks.routes.ts';
import { TracksService } from './tracks.service.ts';

/** Tracks, plays, likes, comments, playlists and the queue (spec §7, issue 13). */
export const streamingModule: DomainModule = ({ pool, config }) => {
  return (app, _options, done) => {
    void pool;
    void config;
    void app;
    registerPlaysRoutes(app, new PlaysService({ repository: createPlaysRepository(pool) }));
    const publicNames = (ids: Iterable<string>) => publicNamesOf(pool.db, ids);
    // Likes and comments tell the track's creator (issue 15 §7), in their own transaction.
    const notifications = { notify, retract: retractNotification };
    registerLikesRoutes(app, new LikesService({ repository: createLikesRepository(pool), publicNames, notifications }));
    registerCommentsRoutes(
      app,
      new CommentsService({ repository: createCommentsRepository(pool), publicNames, notify }),
    );
    registerQueueRoutes(app, createQueueService(pool));
    registerPlaylistsRoutes(app, createPlaylistsService(pool, publicNames));
    registerSubsonicCredentials(app, { pool, config });
    // Tracks, streams and downloads (ADR 0046, 0047): files are reached through the files module's bridge.
    const files = createFilesBridge({ pool, config });
    const tracksNames = (ids: Iterable<string>) => publicNamesOf(pool.db, ids);
    registerTracksRoutes(
      app,
      new TracksService({ repository: createTracksRepository(pool), files, names: tracksNames }),
    );
    registerStreamRoutes(app, createStreamService({ pool, config, files }));
    done();
  };
};
