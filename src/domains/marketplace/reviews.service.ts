// Reviews (issue 16 §9): only the buyer of a paid order line of the product reviews it, once per line (the spec's
// unique order_item_id); rating 1-5, content 10-2,000; the seller answers once. The product's review_count and
// average_rating are kept exact by the trigger of migration 0016.
import { ApiError } from '../../platform/http/problem.ts';
import { decodeCursor, toPage } from '../../platform/http/pagination.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { Caller } from '../../platform/policy/policy.ts';
import { CatalogueProblems } from './catalogue.errors.ts';
import { mayManage, mayView } from './products.policy.ts';
import type { ProductsRepository } from './products.repository.ts';
import type { ReviewRow, ReviewsRepository } from './reviews.repository.ts';

const iso = (date: Date) => date.toISOString();

export class ReviewsService {
  readonly #products: ProductsRepository;
  readonly #reviews: ReviewsRepository;

  constructor(deps: { products: ProductsRepository; reviews: ReviewsRepository }) {
    this.#products = deps.products;
    this.#reviews = deps.reviews;
  }

  view(row: ReviewRow) {
    const { order_item_id: _line, ...rest } = row;
    return {
      ...rest,
      seller_responded_at: row.seller_responded_at ? iso(row.seller_responded_at) : null,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  async list(caller: Caller | null, productId: string, query: { limit: number; cursor?: string | undefined }) {
    const product = await this.#products.find(productId);
    authorize(mayView(caller, product), CatalogueProblems.productNotFound);
    const rows = await this.#reviews.ofProduct(
      productId,
      query.limit,
      query.cursor ? decodeCursor(query.cursor) : undefined,
    );
    const page = toPage(rows, query.limit);
    return { ...page, items: page.items.map((row) => this.view(row)) };
  }

  /**
   * A buyer reviews their purchase. The product may be off sale since (an exclusive sale withdraws it): the
   * purchase is what admits, so a buyer's review of a hidden product is accepted; anyone else learns nothing.
   */
  async create(
    caller: Caller,
    productId: string,
    body: { order_item_id: string; rating: number; title?: string | null | undefined; content: string },
  ) {
    const product = await this.#products.find(productId);
    if (!product || product.deleted_at !== null) throw new ApiError(CatalogueProblems.productNotFound);
    const bought = await this.#reviews.paidLine(caller.userId, productId, body.order_item_id);
    if (!bought) {
      authorize(mayView(caller, product), CatalogueProblems.productNotFound);
      throw new ApiError(CatalogueProblems.reviewNotPurchased, 'Name a paid order line of yours for this product', [
        {
          field: 'body.order_item_id',
          rule: 'purchase',
          message: 'is not a paid order line of yours for this product',
        },
      ]);
    }
    const row = await this.#reviews.insert({
      product_id: productId,
      user_id: caller.userId,
      order_item_id: body.order_item_id,
      rating: body.rating,
      title: body.title ?? null,
      content: body.content,
    });
    if (!row) throw new ApiError(CatalogueProblems.reviewExists, 'This purchase is already reviewed');
    return this.view(row);
  }

  /** The seller answers a review of their product, once. */
  async respond(caller: Caller, productId: string, reviewId: string, response: string) {
    const product = await this.#products.find(productId);
    authorize(mayManage(caller, product), CatalogueProblems.productNotFound);
    const review = await this.#reviews.find(productId, reviewId);
    if (!review) throw new ApiError(CatalogueProblems.reviewNotFound);
    const row = await this.#reviews.respond(review.id, response);
    if (!row) throw new ApiError(CatalogueProblems.reviewAnswered, 'The seller answers a review once');
    return this.view(row);
  }

  /** The author withdraws their review; to anyone else it is not found. */
  async remove(caller: Caller, productId: string, reviewId: string): Promise<void> {
    const review = await this.#reviews.find(productId, reviewId);
    if (!review || review.user_id !== caller.userId) throw new ApiError(CatalogueProblems.reviewNotFound);
    await this.#reviews.softDelete(review.id);
  }
}
