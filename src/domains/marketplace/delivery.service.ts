// Delivery of what was bought (issue 16 §8, ADRs 0075, 0076): licence keys issued when an order is paid, the
// buyer's purchases with their files behind short-lived signed links (bytes served by the files bridge, ADR 0042),
// a PDF certificate, and the public check of a key. A refund revokes all of it: the files and the certificate are
// refused, the key verifies as revoked.
import { createHmac, randomInt } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import type { Database } from '../../platform/db/pool.ts';
import type { Caller } from '../../platform/http/caller.ts';
import { decodeCursor, encodeCursor, type PageQuery } from '../../platform/http/pagination.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import type { DeliveryAnswer, FilesBridge } from '../files/index.ts';
import { UrlSigner } from '../files/index.ts';
import type { PublicName } from '../profiles/index.ts';
import { renderCertificate, usageRightLines } from './certificate.ts';
import { DeliveryProblems } from './delivery.errors.ts';
import { delivers, mayReach } from './delivery.policy.ts';
import {
  countDownload,
  findPurchase,
  keyLines,
  purchaseByKey,
  purchasesOf,
  unkeyedLines,
  type PurchaseRow,
} from './delivery.repository.ts';

// Licence keys (ADR 0075)

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const KEY_GROUPS = 6;
const GROUP_LENGTH = 5;

/** `VZL-` and 30 Crockford base32 characters in groups of 5: 150 bits from the CSPRNG. */
export const LICENSE_KEY_PATTERN = /^VZL(-[0-9A-HJKMNP-TV-Z]{5}){6}$/;

export function newLicenseKey(): string {
  const groups: string[] = [];
  for (let g = 0; g < KEY_GROUPS; g += 1) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i += 1) group += CROCKFORD[randomInt(32)];
    groups.push(group);
  }
  return `VZL-${groups.join('-')}`;
}

/**
 * A key as a person may type it (any case, spaces or no dashes, O for 0, I or L for 1) in its stored form; undefined
 * when it cannot be a key at all.
 */
export function normaliseLicenseKey(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (!compact.startsWith('VZL')) return undefined;
  const body = compact.slice(3).replace(/[IL]/g, '1').replace(/O/g, '0');
  if (body.length !== KEY_GROUPS * GROUP_LENGTH || ![...body].every((ch) => CROCKFORD.includes(ch))) return undefined;
  const groups = body.match(/.{5}/g) ?? [];
  return `VZL-${groups.join('-')}`;
}

/**
 * Keys every line of an order that was just paid, in the payment's transaction (checkout.service.ts
 * `applyPayment`, the one place an order becomes paid, by staff for the manual provider or by a Stripe webhook).
 */
export async function issueLicenses(tx: Transaction<DB>, orderId: string): Promise<void> {
  const lines = await unkeyedLines(tx, orderId);
  await keyLines(
    tx,
    lines.map((lineId) => ({ lineId, key: newLicenseKey() })),
  );
}

// Download links: the files' signer (signed-urls.ts) under a key of our own, over `line id / file id`.

/** The signer of purchase downloads: a key derived from the JWT secret for this use alone. */
export function purchaseLinkSigner(jwtSecret: string): UrlSigner {
  return new UrlSigner(createHmac('sha256', jwtSecret).update('veza purchase download link v1').digest('base64url'));
}

const linkSubject = (lineId: string, fileId: string) => `${lineId}/${fileId}`;

export const downloadPath = (lineId: string, fileId: string) => `/v1/purchases/${lineId}/files/${fileId}`;

type RangeHeaders = { range?: string; 'if-range'?: string; 'if-none-match'?: string; 'if-modified-since'?: string };

export interface DeliveryDeps {
  db: Database;
  files: Pick<FilesBridge, 'findFile' | 'deliver'>;
  signer: () => Promise<UrlSigner>;
  /** Profiles domain: public names of accounts by id (absent: a deleted account). */
  publicNames: (ids: Iterable<string>) => Promise<Map<string, PublicName>>;
  /** How long a download link lives. */
  linkTtlSeconds?: number;
  now?: () => Date;
}

function purchaseView(row: PurchaseRow) {
  const active = delivers(row);
  return {
    id: row.id,
    order_id: row.order_id,
    order_number: row.order_number,
    product_id: row.product_id,
    product_name: row.product_name,
    license_id: row.license_id,
    license_name: row.license_name,
    license_terms: row.license_terms,
    usage_rights: (row.license_usage_rights ?? null) as Record<string, unknown> | null,
    license_key: row.license_key,
    price: row.price,
    currency: row.currency,
    access: active ? ('active' as const) : ('revoked' as const),
    paid_at: row.paid_at?.toISOString() ?? null,
    revoked_at: row.refunded_at?.toISOString() ?? null,
    download_count: row.download_count,
    download_file_ids: active ? (row.download_file_ids ?? []) : [],
  };
}
export type PurchaseView = ReturnType<typeof purchaseView>;

const displayName = (name: PublicName | undefined, fallback: string) =>
  name ? (name.display_name ?? name.username) : fallback;

export function createDeliveryService(deps: DeliveryDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const ttl = deps.linkTtlSeconds ?? 300;

  /** The caller's purchase: someone else's, or a line never paid, is 404 like a missing one. */
  async function reach(caller: Caller, lineId: string): Promise<PurchaseRow> {
    const row = await findPurchase(db, lineId);
    authorize(mayReach(caller, row), DeliveryProblems.purchaseNotFound);
    return row!;
  }

  function active(row: PurchaseRow): void {
    if (!delivers(row)) throw new ApiError(DeliveryProblems.purchaseRevoked);
  }

  function offered(row: PurchaseRow, fileId: string): void {
    if (!(row.download_file_ids ?? []).includes(fileId)) throw new ApiError(DeliveryProblems.purchaseFileNotFound);
  }

  return {
    async purchases(caller: Caller, query: PageQuery) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await purchasesOf(db, caller.userId, query.limit, after);
      const kept = rows.slice(0, query.limit);
      const last = kept.at(-1);
      return {
        items: kept.map(purchaseView),
        next_cursor:
          rows.length > query.limit && last ? encodeCursor({ createdAt: last.position_stamp, id: last.id }) : null,
      };
    },

    /** One purchase with its files as they can be downloaded now (none once revoked). */
    async purchase(caller: Caller, lineId: string) {
      const row = await reach(caller, lineId);
      const view = purchaseView(row);
      const files = [];
      for (const id of view.download_file_ids) {
        const file = await deps.files.findFile(id);
        files.push({
          id,
          filename: file?.original_filename ?? null,
          mime_type: file?.mime_type ?? null,
          size: file?.size ?? null,
          available: file !== undefined && !file.deleted && file.cleared,
        });
      }
      return { ...view, files };
    },

    /** A link that downloads one file of the purchase without a token, for `ttl` seconds. */
    async downloadLink(caller: Caller, lineId: string, fileId: string) {
      const row = await reach(caller, lineId);
      active(row);
      offered(row, fileId);
      const expiresAt = new Date(now().getTime() + ttl * 1000);
      const link = (await deps.signer()).sign(linkSubject(lineId, fileId), expiresAt);
      const query = new URLSearchParams({ expires: String(link.expires), signature: link.signature });
      return {
        url: `${downloadPath(lineId, fileId)}?${query.toString()}`,
        expires_at: new Date(link.expires * 1000).toISOString(),
      };
    },

    /**
     * The bytes behind a link, while the purchase still delivers (a refund voids links already handed out). A
     * download is counted when bytes from the first one go out (200, or 206 from byte 0): resuming with a later
     * range, a HEAD or a 304 is the same download.
     */
    async download(request: {
      caller: Caller | null;
      lineId: string;
      fileId: string;
      expires: number;
      signature: string;
      headers: RangeHeaders;
      headOnly: boolean;
    }): Promise<{ answer: DeliveryAnswer; fileId: string }> {
      const signer = await deps.signer();
      const link = { expires: request.expires, signature: request.signature };
      if (!signer.verify(linkSubject(request.lineId, request.fileId), link, now()))
        throw new ApiError(DeliveryProblems.downloadLinkInvalid);
      const row = await findPurchase(db, request.lineId);
      if (!row) throw new ApiError(DeliveryProblems.purchaseNotFound);
      active(row);
      offered(row, request.fileId);
      const file = await deps.files.findFile(request.fileId);
      if (!file || file.deleted) throw new ApiError(DeliveryProblems.purchaseFileNotFound);
      const answer = await deps.files.deliver({
        caller: request.caller,
        fileId: file.id,
        // The link is the buyer's admission, whoever holds it: open, never kept by shared caches.
        grant: {
          rule: 'purchase',
          open: true,
          shareable: false,
          disposition: { kind: 'attachment', filename: file.original_filename },
        },
        headers: request.headers,
        headOnly: request.headOnly,
      });
      const fromStart =
        answer.status === 200 || (answer.status === 206 && /^bytes 0-/.test(answer.headers['content-range'] ?? ''));
      if (fromStart && !request.headOnly) await countDownload(db, row.id);
      return { answer, fileId: file.id };
    },

    /** The PDF certificate of a purchase that still delivers. */
    async certificate(caller: Caller, lineId: string): Promise<{ pdf: Buffer; filename: string }> {
      const row = await reach(caller, lineId);
      active(row);
      if (!row.license_key || !row.paid_at) throw new ApiError(DeliveryProblems.purchaseNotFound);
      const names = await deps.publicNames([row.seller_id, row.user_id]);
      const pdf = await renderCertificate({
        productName: row.product_name,
        productId: row.product_id,
        licenseName: row.license_name ?? 'Licence',
        terms: row.license_terms ?? 'As offered with the product at the time of purchase.',
        usageRights: usageRightLines(row.license_usage_rights),
        licenseKey: row.license_key,
        orderNumber: row.order_number,
        issuedAt: row.paid_at,
        sellerName: displayName(names.get(row.seller_id), 'Former seller'),
        buyerName: displayName(names.get(row.user_id), 'Former account'),
        verifyUrl: `/v1/licenses/verify?key=${row.license_key}`,
      });
      return { pdf, filename: `licence-${row.license_key}.pdf` };
    },

    /**
     * Public: is this key a licence, for what, allowing what. Says nothing of who holds it (no buyer, no order).
     * A well-formed key that was never issued is simply not valid.
     */
    async verify(input: string) {
      const key = normaliseLicenseKey(input);
      if (!key) {
        throw new ApiError(DeliveryProblems.licenseKeyMalformed, 'A licence key reads VZL-XXXXX-XXXXX-…', [
          { field: 'query.key', rule: 'format', message: 'is VZL- and six groups of five letters or digits' },
        ]);
      }
      const row = await purchaseByKey(db, key);
      if (!row) {
        return {
          key,
          valid: false,
          status: 'unknown' as const,
          product: null,
          license: null,
          issued_at: null,
          revoked_at: null,
        };
      }
      const valid = delivers(row);
      return {
        key,
        valid,
        status: valid ? ('active' as const) : ('revoked' as const),
        product: { id: row.product_id, name: row.product_name },
        license: {
          name: row.license_name,
          terms: row.license_terms,
          usage_rights: (row.license_usage_rights ?? null) as Record<string, unknown> | null,
        },
        issued_at: row.paid_at?.toISOString() ?? null,
        revoked_at: row.refunded_at?.toISOString() ?? null,
      };
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
