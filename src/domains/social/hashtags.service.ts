// Hashtag pages and suggestions (issue 15 §4; ADR 0063). A tag is matched by its slug (posts.text.ts hashtagSlug:
// case and accents folded); a tag's page lists only posts the caller may see and never unlisted ones.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { decodeCursor, encodeCursor, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { PostProblems } from './posts.errors.ts';
import { hashtagPosts } from './posts.repository.ts';
import type { PostsService } from './posts.service.ts';
import { hashtagSlug } from './posts.text.ts';

const HASHTAG_COLUMNS = ['tag', 'slug', 'usage_count', 'first_used_at', 'last_used_at'] as const;

function hashtagView(row: { tag: string; slug: string; usage_count: number; first_used_at: Date; last_used_at: Date }) {
  return {
    tag: row.tag,
    slug: row.slug,
    usage_count: row.usage_count,
    first_used_at: row.first_used_at.toISOString(),
    last_used_at: row.last_used_at.toISOString(),
  };
}

export class HashtagsService {
  readonly #db: Kysely<DB>;
  readonly #posts: Pick<PostsService, 'views'>;

  constructor(db: Kysely<DB>, posts: Pick<PostsService, 'views'>) {
    this.#db = db;
    this.#posts = posts;
  }

  async page(viewerId: string | undefined, tag: string, query: PageQuery) {
    const slug = hashtagSlug(tag.replace(/^#/, ''));
    const hashtag =
      slug === ''
        ? undefined
        : await this.#db
            .selectFrom('hashtags')
            .select(['id', ...HASHTAG_COLUMNS])
            .where('slug', '=', slug)
            .executeTakeFirst();
    if (!hashtag) throw new ApiError(PostProblems.hashtagNotFound);
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
    const rows = await hashtagPosts(this.#db, viewerId, hashtag.id, query.limit, after);
    const kept = rows.slice(0, query.limit);
    const views = await this.#posts.views(this.#db, viewerId, kept);
    // The cursor is the tag use's position (post_hashtags.created_at, id), the order of the page.
    const last = kept.at(-1);
    const page = {
      items: views.map(({ stamp: _stamp, ...post }) => post),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.use_id }) : null,
    };
    return { hashtag: hashtagView(hashtag), ...page };
  }

  /** Tags whose slug starts with the prefix's slug (idx_hashtags_slug_pattern), most used first. */
  async suggest(prefix: string, limit: number) {
    const slug = hashtagSlug(prefix.replace(/^#/, ''));
    if (slug === '') return { items: [] };
    const pattern = `${slug.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.#db
      .selectFrom('hashtags')
      .select(HASHTAG_COLUMNS)
      .where(sql<boolean>`slug LIKE ${pattern}`)
      .where('usage_count', '>', 0)
      .orderBy('usage_count', 'desc')
      .orderBy('slug')
      .limit(limit)
      .execute();
    return { items: rows.map(hashtagView) };
  }
}
