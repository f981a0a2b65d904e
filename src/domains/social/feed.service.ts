// The home feed (issue 15 §6, ADR 0064): entries fanned out on write (migration 0041), read newest first and
// filtered by the one visibility rule, rendered as every other list of posts.
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, toPage, type PageQuery } from '../../platform/http/pagination.ts';
import { homeFeed } from './feed.queries.ts';
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
    const rows = await homeFeed(this.#db, caller.userId, after, query.limit + 1).execute();
    const page = toPage(rows, query.limit);
    // A post whose author vanished between the read and the cards only shortens this page, never skips one: the
    // cursor comes from the rows read.
    const views = new Map(
      (await this.#posts.views(this.#db, caller.userId, rows.slice(0, query.limit))).map(({ stamp: _s, ...post }) => [
        post.id,
        post,
      ]),
    );
    return {
      items: page.items.flatMap((row) => {
        const post = views.get(row.id);
        return post ? [post] : [];
      }),
      next_cursor: page.next_cursor,
    };
  }
}
