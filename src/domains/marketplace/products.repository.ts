// The SQL of products and favourites (spec §10.1, §10.8; issue 16 §1, 9; ADR 0068). Rows in, rows out.
// Counters (favorite_count, review_count, average_rating, sale_count) are kept by the triggers of migration 0016 in
// the writing transaction; view_count is an aggregate bumped in place: no row per viewer is ever written.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { pageSize } from '../../platform/db/page-size.ts';
import type { Database, Pool } from '../../platform/db/pool.ts';
import { beforePosition, positionStamp, POSITION_STAMP, type Position } from '../../platform/http/pagination.ts';
import type { Category, PricingModel, ProductStatus } from './products.schemas.ts';

export type Executor = Database | Transaction<DB>;

export interface ProductRow {
  id: string;
  seller_id: string;
  name: string;
  slug: string;
  description: string;
  category: Category;
  tags: string[] | null;
  genre: string | null;
  bpm: number | null;
  musical_key: string | null;
  formats: string[] | null;
  pricing_model: PricingModel;
  price: string;
  minimum_price: string | null;
  currency: string;
  preview_file_id: string | null;
  download_file_ids: string[] | null;
  image_file_ids: string[] | null;
  status: ProductStatus;
  view_count: number;
  favorite_count: number;
  sale_count: number;
  review_count: number;
  average_rating: string | null;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export type ProductListRow = ProductRow & { [POSITION_STAMP]: string };

export interface ProductValues {
  name: string;
  slug: string;
  description: string;
  category: Category;
  tags: string[];
  genre: string | null;
  bpm: number | null;
  musical_key: string | null;
  formats: string[];
  pricing_model: PricingModel;
  price: string;
  minimum_price: string | null;
  currency: string;
  preview_file_id: string | null;
  download_file_ids: string[];
  image_file_ids: string[];
}

export interface CatalogueFilters {
  category?: Category | undefined;
  genre?: string | undefined;
  minPrice?: string | undefined;
  maxPrice?: string | undefined;
  currency?: string | undefined;
  bpmMin?: number | undefined;
  bpmMax?: number | undefined;
  key?: string | undefined;
  tags?: string[] | undefined;
  sellerId?: string | undefined;
}

const PRODUCT_COLUMNS = [
  'products.id',
  'products.seller_id',
  'products.name',
  'products.slug',
  'products.description',
  'products.category',
  'products.tags',
  'products.genre',
  'products.bpm',
  'products.musical_key',
  'products.formats',
  'products.pricing_model',
  'products.price',
  'products.minimum_price',
  'products.currency',
  'products.preview_file_id',
  'products.download_file_ids',
  'products.image_file_ids',
  'products.status',
  'products.view_count',
  'products.favorite_count',
  'products.sale_count',
  'products.review_count',
  'products.average_rating',
  'products.published_at',
  'products.created_at',
  'products.updated_at',
  'products.deleted_at',
] as const;

/** A text array bound as one (node-postgres sends a JS array as an array literal), for the @> of the tag filter. */
const textArray = (values: string[]) => sql<string[]>`${values}::varchar[]`;

// The statements of the product page and the catalogue, unexecuted: the repository runs them, the benchmark compiles
// them (bench/workloads.ts).

/** The product row, deleted ones included. */
export function productById(db: Executor, id: string) {
  return db.selectFrom('products').select(PRODUCT_COLUMNS).where('id', '=', id);
}

/** One more view of the product page. */
export function countProductView(db: Executor, id: string) {
  return db
    .updateTable('products')
    .set({ view_count: sql`view_count + 1` })
    .where('id', '=', id);
}

/**
 * The public catalogue: products on sale, newest published first, keyset on (published_at, id), `limit + 1` rows.
 * Served by the spec's idx_products_published_at_desc and an incremental sort on id (ADR 0068 has the EXPLAIN).
 */
export function catalogueQuery(db: Executor, filters: CatalogueFilters, limit: number, after?: Position) {
  let query = db
    .selectFrom('products')
    .select(PRODUCT_COLUMNS)
    .select(positionStamp('products.published_at').as(POSITION_STAMP))
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .where('published_at', 'is not', null);
  if (filters.category) query = query.where('category', '=', filters.category);
  if (filters.genre) query = query.where(sql<boolean>`lower(genre) = lower(${filters.genre})`);
  if (filters.currency) query = query.where('currency', '=', filters.currency);
  if (filters.minPrice !== undefined) query = query.where('price', '>=', filters.minPrice);
  if (filters.maxPrice !== undefined) query = query.where('price', '<=', filters.maxPrice);
  if (filters.bpmMin !== undefined) query = query.where('bpm', '>=', filters.bpmMin);
  if (filters.bpmMax !== undefined) query = query.where('bpm', '<=', filters.bpmMax);
  if (filters.key) query = query.where('musical_key', '=', filters.key);
  if (filters.tags && filters.tags.length > 0) query = query.where(sql<boolean>`tags @> ${textArray(filters.tags)}`);
  if (filters.sellerId) query = query.where('seller_id', '=', filters.sellerId);
  if (after) query = query.where(beforePosition(after, { createdAt: 'published_at', id: 'id' }));
  return query
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(pageSize(limit + 1));
}

/** Whether `userId` saved the product. */
export function favoriteOf(db: Executor, userId: string, productId: string) {
  return db
    .selectFrom('product_favorites')
    .select('id')
    .where('user_id', '=', userId)
    .where('product_id', '=', productId);
}

export function createProductsRepository(pool: Pool) {
  const { db } = pool;
  return {
    db,

    async inTransaction<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(work);
    },

    /** The product row, deleted ones included (callers ask the policy). */
    async find(id: string, executor: Executor = db): Promise<ProductRow | undefined> {
      return (await productById(executor, id).executeTakeFirst()) as ProductRow | undefined;
    },

    /** The product row held FOR UPDATE: status changes and licence edits of one product queue up on it. */
    async lock(tx: Transaction<DB>, id: string): Promise<ProductRow | undefined> {
      return (await tx
        .selectFrom('products')
        .select(PRODUCT_COLUMNS)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst()) as ProductRow | undefined;
    },

    async slugTaken(slug: string, executor: Executor = db): Promise<boolean> {
      const row = await executor.selectFrom('products').select('id').where('slug', '=', slug).executeTakeFirst();
      return row !== undefined;
    },

    async insert(tx: Transaction<DB>, sellerId: string, values: ProductValues): Promise<ProductRow> {
      const { id } = await tx
        .insertInto('products')
        .values({ ...values, seller_id: sellerId, status: 'draft' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return (await this.find(id, tx)) as ProductRow;
    },

    async update(tx: Transaction<DB>, id: string, changes: Partial<ProductValues>): Promise<ProductRow> {
      if (Object.keys(changes).length > 0) await tx.updateTable('products').set(changes).where('id', '=', id).execute();
      return (await this.find(id, tx)) as ProductRow;
    },

    /** Moves the status; publishing stamps published_at the first time (the catalogue's order). */
    async setStatus(tx: Transaction<DB>, id: string, status: ProductStatus): Promise<ProductRow> {
      await tx
        .updateTable('products')
        .set({
          status,
          ...(status === 'active' ? { published_at: sql<Date>`COALESCE(published_at, now())` } : {}),
        })
        .where('id', '=', id)
        .execute();
      return (await this.find(id, tx)) as ProductRow;
    },

    async softDelete(tx: Transaction<DB>, id: string): Promise<void> {
      await tx
        .updateTable('products')
        .set({ deleted_at: new Date(), status: 'inactive' })
        .where('id', '=', id)
        .execute();
    },

    /** One more view of the product page: an aggregate, never a row per viewer (issue 16 §1). */
    async countView(id: string): Promise<void> {
      await countProductView(db, id).execute();
    },

    /** The public catalogue (catalogueQuery). */
    async catalogue(filters: CatalogueFilters, limit: number, after?: Position): Promise<ProductListRow[]> {
      return (await catalogueQuery(db, filters, limit, after).execute()) as ProductListRow[];
    },

    /** A seller's own products, any status but deleted, newest first. */
    async ofSeller(sellerId: string, status: ProductStatus | undefined, limit: number, after?: Position) {
      let query = db
        .selectFrom('products')
        .select(PRODUCT_COLUMNS)
        .select(positionStamp('products.created_at').as(POSITION_STAMP))
        .where('seller_id', '=', sellerId)
        .where('deleted_at', 'is', null);
      if (status) query = query.where('status', '=', status);
      if (after) query = query.where(beforePosition(after));
      return (await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as ProductListRow[];
    },

    // Favourites (spec §10.8). favorite_count follows by trigger in the same transaction (migration 0016).

    /** Saves the product; saving twice is one row. Answers the product's count after the change. */
    async addFavorite(userId: string, productId: string): Promise<number> {
      return db.transaction().execute(async (tx) => {
        await tx
          .insertInto('product_favorites')
          .values({ user_id: userId, product_id: productId })
          .onConflict((oc) => oc.columns(['user_id', 'product_id']).doNothing())
          .execute();
        return this.favoriteCount(productId, tx);
      });
    },

    async removeFavorite(userId: string, productId: string): Promise<number> {
      return db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom('product_favorites')
          .where('user_id', '=', userId)
          .where('product_id', '=', productId)
          .execute();
        return this.favoriteCount(productId, tx);
      });
    },

    async favoriteCount(productId: string, executor: Executor = db): Promise<number> {
      const row = await executor
        .selectFrom('products')
        .select('favorite_count')
        .where('id', '=', productId)
        .executeTakeFirst();
      return row?.favorite_count ?? 0;
    },

    async isFavorite(userId: string, productId: string): Promise<boolean> {
      const row = await favoriteOf(db, userId, productId).executeTakeFirst();
      return row !== undefined;
    },

    /**
     * A user's favourites, newest first, keyset on the favourite's (created_at, id): the products they may still
     * see (on sale, or their own); a product taken off sale drops out of the list until it is back.
     */
    async favoritesOf(userId: string, limit: number, after?: Position) {
      let query = db
        .selectFrom('product_favorites as f')
        .innerJoin('products', 'products.id', 'f.product_id')
        .select(PRODUCT_COLUMNS)
        .select([
          'f.id as favorite_id',
          'f.created_at as favorited_at',
          positionStamp('f.created_at').as(POSITION_STAMP),
        ])
        .where('f.user_id', '=', userId)
        .where('products.deleted_at', 'is', null)
        .where((eb) => eb.or([eb('products.status', '=', 'active'), eb('products.seller_id', '=', userId)]));
      if (after) query = query.where(beforePosition(after, { createdAt: 'f.created_at', id: 'f.id' }));
      return (await query
        .orderBy('f.created_at', 'desc')
        .orderBy('f.id', 'desc')
        .limit(pageSize(limit + 1))
        .execute()) as (ProductRow & { favorite_id: string; favorited_at: Date; [POSITION_STAMP]: string })[];
    },
  };
}

export type ProductsRepository = ReturnType<typeof createProductsRepository>;
