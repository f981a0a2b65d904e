// Who may see, edit, publish and moderate a product, its licences and its media (issue 16 §1, ADR 0068): one answer
// for the routes and for file delivery of previews and images. Pure: the caller and the product's row are passed in.
//
// A product on sale (active) is public, to anonymous callers too. Drafts, inactive and suspended products are seen
// by their seller and by moderators only; to anyone else they do not exist (404 PRODUCT_NOT_FOUND, never 403), so
// nobody learns what a seller has in preparation. A deleted product exists for nobody.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';
import type { ProductStatus } from './products.schemas.ts';

/** What a rule needs to know of a `products` row. */
export interface ProductSubject {
  seller_id: string;
  status: ProductStatus;
  deleted_at: Date | null;
}

const HIDDEN = 'No such product';

export const isModerator = (caller: Caller | null): boolean =>
  caller !== null && (caller.role === 'moderator' || caller.role === 'admin');

const isSeller = (caller: Caller | null, product: ProductSubject) =>
  caller !== null && caller.userId === product.seller_id;

/** The product page, its licences, its preview and images. */
export function mayView(caller: Caller | null, product: ProductSubject | null | undefined): Decision {
  if (!product || product.deleted_at !== null) return deny('hidden', HIDDEN);
  if (product.status === 'active' || isSeller(caller, product) || isModerator(caller)) return ALLOW;
  return deny('hidden', HIDDEN);
}

/**
 * Editing, publishing, unpublishing, deleting the product and its licences: the seller only. Others who may see
 * the product (a buyer, a moderator) are told 403; those who may not are told it does not exist.
 */
export function mayManage(caller: Caller | null, product: ProductSubject | null | undefined): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to manage your products');
  if (!product || product.deleted_at !== null) return deny('hidden', HIDDEN);
  if (isSeller(caller, product)) return ALLOW;
  const view = mayView(caller, product);
  return view.allowed ? deny('forbidden', 'Only the seller manages this product') : view;
}

/** Suspending and reinstating a product: moderators and admins, on any product they can see (all of them). */
export function mayModerate(caller: Caller | null, product: ProductSubject | null | undefined): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to moderate products');
  if (!product || product.deleted_at !== null) return deny('hidden', HIDDEN);
  if (isModerator(caller)) return ALLOW;
  const view = mayView(caller, product);
  return view.allowed ? deny('forbidden', 'Only moderators suspend products') : view;
}

/** Saving a product to one's favourites: any signed-in caller who may see it. */
export function mayFavorite(caller: Caller | null, product: ProductSubject | null | undefined): Decision {
  if (!caller) return deny('unauthenticated', 'Sign in to keep favourites');
  return mayView(caller, product);
}

/** The private download files of a product are the seller's to list; buyers get them through their orders. */
export function maySeeDownloads(caller: Caller | null, product: ProductSubject): boolean {
  return isSeller(caller, product);
}
