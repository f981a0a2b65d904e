// Error catalogue of the marketplace's catalogue side (issue 16 §1, 2, 9; ADRs 0068, 0069): products, licences,
// favourites, reviews. Stable codes, rendered as RFC 9457 problem details (docs/api.md). The money side (carts,
// checkout, orders, payouts) keeps its own catalogue.
import { problemType } from '../../platform/http/problem.ts';

export const CatalogueProblems = {
  // Products (ADR 0068). A product the caller may not see (someone else's draft, inactive or suspended product,
  // a deleted one) answers productNotFound, whatever the route.
  /** No such product, or one the caller may not know exists. */
  productNotFound: problemType('PRODUCT_NOT_FOUND', 404, 'No such product'),
  /** uq_products_slug: another product has this slug. */
  productSlugTaken: problemType('PRODUCT_SLUG_TAKEN', 409, 'Another product has this slug'),
  /** Price, minimum price and pricing model disagree (a free product with a price, pwyw without a minimum…). */
  pricingInvalid: problemType('PRODUCT_PRICING_INVALID', 400, 'The pricing is not consistent'),
  /** A file named is not the seller's own live file of the right kind. */
  fileUnusable: problemType('PRODUCT_FILE_UNUSABLE', 422, 'This file cannot be used for the product'),
  /** Publishing needs a licence on sale and every file cleared by the scanner and processed. */
  notPublishable: problemType('PRODUCT_NOT_PUBLISHABLE', 409, 'The product cannot be published yet'),
  /** The product is suspended by a moderator: only a moderator lifts it. */
  productSuspended: problemType('PRODUCT_SUSPENDED', 409, 'The product is suspended by a moderator'),
  /** The status change asked is not one the product's status allows. */
  statusConflict: problemType('PRODUCT_STATUS_CONFLICT', 409, 'The product is not in a status that allows this'),
  /** An exclusive licence of the product was sold: it cannot be offered again. */
  soldExclusively: problemType('PRODUCT_SOLD_EXCLUSIVELY', 409, 'The product was sold with exclusive rights'),
  /** The product's preview or image asked for is not there (or not ready). */
  mediaNotFound: problemType('PRODUCT_MEDIA_NOT_FOUND', 404, 'No such preview or image for this product'),

  // Licences (ADR 0069).
  /** No such licence of this product (deleted, or of another product). */
  licenseNotFound: problemType('LICENSE_NOT_FOUND', 404, 'No such licence for this product'),
  /** A limit below the units already sold or reserved, or an exclusive licence with sales on another. */
  licenseLimitBelowSales: problemType('LICENSE_LIMIT_BELOW_SALES', 409, 'Units already sold exceed this limit'),
  /** The last licence on sale of an active product cannot be removed: unpublish first. */
  licenseLastOnSale: problemType('LICENSE_LAST_ON_SALE', 409, 'An active product keeps at least one licence on sale'),

  // Reviews (issue 16 §9).
  /** No such review of this product. */
  reviewNotFound: problemType('REVIEW_NOT_FOUND', 404, 'No such review'),
  /** Only the buyer of a paid order line of this product reviews it. */
  reviewNotPurchased: problemType('REVIEW_NOT_PURCHASED', 403, 'Only a buyer of this product may review it'),
  /** uq_product_reviews_order_item: this purchase has its review. */
  reviewExists: problemType('REVIEW_ALREADY_EXISTS', 409, 'This purchase is already reviewed'),
  /** The seller answered this review already. */
  reviewAnswered: problemType('REVIEW_ALREADY_ANSWERED', 409, 'The seller already answered this review'),
} as const;
