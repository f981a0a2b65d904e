// Error catalogue of delivery (issue 16 §8, ADR 0075): purchases, their downloads and certificates, licence keys.
// Stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const DeliveryProblems = {
  /** No such purchase of the caller: someone else's, an unpaid or cancelled order's line, or none at all. */
  purchaseNotFound: problemType('PURCHASE_NOT_FOUND', 404, 'No such purchase'),
  /** The purchase exists but does not deliver this file (not among the files bought). */
  purchaseFileNotFound: problemType('PURCHASE_FILE_NOT_FOUND', 404, 'This purchase has no such file'),
  /** The order was refunded: its downloads and certificate are gone, its key verifies as revoked. */
  purchaseRevoked: problemType('PURCHASE_REVOKED', 403, 'This purchase was refunded: it gives no access any more'),
  /** A download link that is not ours for this file, or has expired. */
  downloadLinkInvalid: problemType('DOWNLOAD_LINK_INVALID', 403, 'This download link is not valid or has expired'),
  /** A licence key that cannot be one of ours (wrong length or characters): nothing was looked up. */
  licenseKeyMalformed: problemType('LICENSE_KEY_MALFORMED', 400, 'This is not the shape of a licence key'),
} as const;
