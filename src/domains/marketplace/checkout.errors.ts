// Error catalogue of the marketplace's money side (issue 16 §3-7, 10; ADRs 0071-0074): carts, discount codes,
// checkout, orders, payments, ledger. Stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const MoneyProblems = {
  // Amounts (ADR 0071).
  /** An amount that is not a plain decimal with at most two decimals, negative, or above 99999999.99. */
  amountInvalid: problemType('AMOUNT_INVALID', 400, 'The amount is not a valid price'),
  /** A cart or order holds one currency. */
  currencyMismatch: problemType('CURRENCY_MISMATCH', 422, 'Your cart is in another currency'),

  // Cart.
  /** No such product on sale, or one the caller may not buy (a licence of another product, a deleted one). */
  productNotOnSale: problemType('PRODUCT_NOT_ON_SALE', 422, 'This product or licence is not on sale'),
  /** Sellers do not buy their own products. */
  ownProduct: problemType('OWN_PRODUCT', 422, 'You cannot buy your own product'),
  /** A pay-what-you-want amount under the product's minimum (or missing). */
  amountUnderMinimum: problemType('AMOUNT_UNDER_MINIMUM', 422, 'The amount is under the minimum price'),
  /** No such item in your cart. */
  cartItemNotFound: problemType('CART_ITEM_NOT_FOUND', 404, 'No such item in your cart'),
  /** The cart holds nothing to check out. */
  cartEmpty: problemType('CART_EMPTY', 422, 'Your cart is empty'),
  /** A price changed or a product left the catalogue since it was added: `errors` lists each difference. */
  cartChanged: problemType('CART_CHANGED', 409, 'Your cart changed since you added these items: review it'),
  /** The licence has no unit left (an exclusive licence sold, a distribution limit reached). */
  licenseSoldOut: problemType('LICENSE_SOLD_OUT', 409, 'This licence is sold out'),

  // Discount codes (ADR 0072).
  /** No such code, inactive, or outside its validity window. */
  discountInvalid: problemType('DISCOUNT_CODE_INVALID', 422, 'This discount code is not valid'),
  /** The code reached its usage limit. */
  discountExhausted: problemType('DISCOUNT_CODE_EXHAUSTED', 422, 'This discount code has been used up'),
  /** The code does not apply to this cart (minimum purchase, another seller's products, another currency). */
  discountNotApplicable: problemType('DISCOUNT_CODE_NOT_APPLICABLE', 422, 'This discount code does not apply'),
  /** uq_discount_codes_code / idx_discount_codes_code: the code exists already (whatever its case). */
  discountCodeTaken: problemType('DISCOUNT_CODE_TAKEN', 409, 'This discount code exists already'),
  /** The code's fields are not consistent (a percentage over 100, valid_until before valid_from…). */
  discountCodeInvalidDefinition: problemType(
    'DISCOUNT_CODE_DEFINITION_INVALID',
    400,
    'The discount code is not consistent',
  ),

  // Orders and payments (ADR 0073).
  /** No such order, or someone else's. */
  orderNotFound: problemType('ORDER_NOT_FOUND', 404, 'No such order'),
  /** The order is not in a state that allows this (paying a cancelled order, refunding an unpaid one…). */
  orderStateConflict: problemType('ORDER_STATE_CONFLICT', 409, 'The order is not in a state that allows this'),
  /** The refund window of the order is over (its money may have been paid out). */
  refundWindowOver: problemType('REFUND_WINDOW_OVER', 409, 'The refund window of this order is over'),
  /** The payment method asked is not configured on this server. */
  paymentMethodUnavailable: problemType('PAYMENT_METHOD_UNAVAILABLE', 422, 'This payment method is not available'),
  /** The provider refused or could not be reached: nothing was charged or refunded. */
  paymentProviderFailed: problemType('PAYMENT_PROVIDER_FAILED', 502, 'The payment provider failed; try again'),
  /** A webhook whose signature does not verify: nothing changes. */
  webhookSignatureInvalid: problemType('WEBHOOK_SIGNATURE_INVALID', 400, 'The webhook signature does not verify'),
} as const;
