// Who may reach a purchase (issue 16 §8, ADR 0075): its buyer only, for the routes of the list, the download links
// and the certificate. Pure: the caller and the line's facts are passed in. To anyone else, and for a line of an
// order that was never paid (pending, cancelled), the purchase does not exist (404 PURCHASE_NOT_FOUND, never 403).
// A refunded purchase stays visible to its buyer, marked revoked, but delivers nothing (`delivers`).
import { ALLOW, deny, ownerOnly, type Caller, type Decision } from '../../platform/policy/policy.ts';
import type { OrderStatus } from './orders.repository.ts';

export interface PurchaseSubject {
  /** The buyer (orders.user_id). */
  user_id: string;
  status: OrderStatus;
}

const PAID: ReadonlySet<OrderStatus> = new Set(['paid', 'processing', 'completed']);

/** The buyer's own purchase, paid or refunded. */
export function mayReach(caller: Caller | null, purchase: PurchaseSubject | null | undefined): Decision {
  const owned = ownerOnly(caller, purchase, 'purchase');
  if (!owned.allowed) return owned;
  if (!purchase || (!PAID.has(purchase.status) && purchase.status !== 'refunded'))
    return deny('hidden', 'No such purchase');
  return ALLOW;
}

/** Whether the purchase still gives its files, its certificate and a valid key: paid and not refunded. */
export function delivers(purchase: Pick<PurchaseSubject, 'status'>): boolean {
  return PAID.has(purchase.status);
}
