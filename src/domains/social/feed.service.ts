// The home feed (issue 15 §6, ADR 0064): entries fanned out on write (migration 0041), read newest first and
// filtered by the one visibility rule, rendered as every other list of posts.
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { homeFeed } from './feed.queries.ts';
import { findVisible } from './posts.repository.ts';
import type { PostsService } from './posts.service.ts';

export class FeedService {
  readonly #db: Database;
  readonly #posts: Pick<PostsService, 'views'>;

  constructor(db: Database, posts: Pick<PostsService, 'views'>) {
    this.#db = db;
    this.#posts = posts;
  }

  async home(caller: Caller, query: PageQuery) {
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : null;
    const entries = await homeFeed(this.#db, caller.userId, after, query.limit + 1).execute();
    const rows = await findVisible(
      this.#db,
      caller.userId,
      entries.map((entry) => entry.id),
    );
    const views = new Map(
      (await this.#posts.views(this.#db, caller.userId, rows)).map(({ stamp: _stamp, ...post }) => [post.id, post]),
    );
    // The page's size and cursor come from the entries, so a post that vanished in between (deleted, an author
    // gone) only shortens this page, never skips one.
    const page = toPage(entries, query.limit);
    return {
      items: page.items.flatMap((entry) => {
        const post = views.get(entry.id);
        return post ? [post] : [];
      }),
      next_cursor: page.next_cursor,
    };
  }
}
