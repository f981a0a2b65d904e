// Wires the social domain: repositories -> services -> routes, registered under /v1 by the composition root.
// Each part of issue 15 adds its lines here (graph: follows and blocks; posts; groups and the feed).
import type { DomainModule } from '../../app/module-dependencies.ts';
import { forgetNotificationsBetween, notify, retractNotification } from '../notifications/index.ts';
import { accountsNamed, profileVisibilityOf, publicNamesOf } from '../profiles/index.ts';
import { createBlocksRepository, isBlockedEitherWay } from './blocks.repository.ts';
import { registerBlocksRoutes } from './blocks.routes.ts';
import { BlocksService } from './blocks.service.ts';
import { createFollowsRepository } from './follows.repository.ts';
import { registerFollowsRoutes } from './follows.routes.ts';
import { FollowsService } from './follows.service.ts';
import { createFilesBridge } from '../files/index.ts';
import { registerCommentsRoutes } from './comments.routes.ts';
import { CommentsService } from './comments.service.ts';
import { registerHashtagsRoutes } from './hashtags.routes.ts';
import { HashtagsService } from './hashtags.service.ts';
import { registerPostsRoutes } from './posts.routes.ts';
import { PostsService } from './posts.service.ts';
import { registerFeedRoutes } from './feed.routes.ts';
import { FeedService } from './feed.service.ts';
import { createGroupsRepository } from './groups.repository.ts';
import { registerGroupsRoutes } from './groups.routes.ts';
import { GroupsService } from './groups.service.ts';

/** Follows, blocks, posts, groups and the home feed (spec §9, issue 15). */
export const socialModule: DomainModule = ({ pool, config }) => {
  return (app, _options, done) => {
    // Graph: follows, follow requests and blocks (issue 15 §1-2; ADRs 0060, 0061).
    const followsRepository = createFollowsRepository(pool);
    registerFollowsRoutes(
      app,
      new FollowsService({
        repository: followsRepository,
        profileVisibilityOf: (userId) => profileVisibilityOf(pool.db, userId),
        accountsNamed: (usernames) => accountsNamed(pool.db, usernames),
        isBlockedEitherWay: (a, b, tx) => isBlockedEitherWay(tx ?? pool.db, a, b),
        notify: (tx, cause) => notify(tx, cause),
        retractNotification: (tx, cause) => retractNotification(tx, cause),
      }),
    );
    registerBlocksRoutes(
      app,
      new BlocksService({
        repository: createBlocksRepository(pool),
        follows: followsRepository,
        publicNames: (ids) => publicNamesOf(pool.db, ids),
        forgetNotificationsBetween: (tx, a, b) => forgetNotificationsBetween(tx, a, b),
      }),
    );
    // Posts, reposts, likes, comments and hashtags (issue 15 §3-4; ADRs 0062, 0063).
    const notifier = { notify, retract: retractNotification };
    const namesOf = (db: typeof pool.db, ids: string[]) => publicNamesOf(db, ids);
    const posts: PostsService = new PostsService({
      db: pool.db,
      files: createFilesBridge({ pool, config }),
      notifier,
      namesOf,
      accountsNamed: (db, usernames) => accountsNamed(db, usernames),
      // Called per request, once `comments` below exists.
      firstComments: (viewerId, postId, count) => comments.first(viewerId, postId, count),
    });
    const comments: CommentsService = new CommentsService({ db: pool.db, posts, notifier, namesOf });
    registerPostsRoutes(app, posts);
    registerCommentsRoutes(app, comments);
    registerHashtagsRoutes(app, new HashtagsService(pool.db, posts));
    // Groups and the home feed (issue 15 §5-6; ADRs 0064, 0065).
    registerGroupsRoutes(
      app,
      new GroupsService({
        repository: createGroupsRepository(pool),
        namesOf: (ids) => publicNamesOf(pool.db, ids),
        posts,
      }),
    );
    registerFeedRoutes(app, new FeedService(pool.db, posts));
    done();
  };
};
