// The contract of delivery (issue 16 §8, ADRs 0075, 0076): the buyer's purchases, download links, the certificate,
// and the public verification of a licence key (which carries nothing of the buyer).
import { Type } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { closed, Money, Nullable, Timestamp, Uuid } from './common.schemas.ts';

const UsageRights = Nullable(
  Type.Record(Type.String(), Type.Unknown(), {
    description: 'The usage rights sold (ADR 0069), as they were when the order was paid',
  }),
);
const LicenseKey = Type.String({
  pattern: '^VZL(-[0-9A-HJKMNP-TV-Z]{5}){6}$',
  examples: ['VZL-7KQ4M-2XD9P-A0B1C-3D4E5-F6G7H-8J9K0'],
});

export const PurchaseParams = Type.Object({ id: Uuid }, closed);
export const PurchaseFileParams = Type.Object(
  { id: Uuid, file_id: Type.String({ format: 'uuid', description: 'One of the purchase’s download_file_ids' }) },
  closed,
);

export const PurchaseSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'The order line' }),
    order_id: Uuid,
    order_number: Type.String(),
    product_id: Uuid,
    product_name: Type.String(),
    license_id: Nullable(Uuid),
    license_name: Nullable(Type.String()),
    license_terms: Nullable(Type.String()),
    usage_rights: UsageRights,
    license_key: Nullable(LicenseKey),
    price: Money,
    currency: Type.String(),
    access: Type.Union([Type.Literal('active'), Type.Literal('revoked')], {
      description: 'revoked: the order was refunded; no downloads, no certificate, the key verifies as revoked',
    }),
    paid_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
    download_count: Type.Integer({ minimum: 0 }),
    download_file_ids: Type.Array(Uuid, { description: 'The files bought; empty once revoked' }),
  },
  closed,
);

export const PurchaseDetailSchema = Type.Object(
  {
    ...PurchaseSchema.properties,
    files: Type.Array(
      Type.Object(
        {
          id: Uuid,
          filename: Nullable(Type.String()),
          mime_type: Nullable(Type.String()),
          size: Nullable(Type.Integer({ minimum: 0 })),
          available: Type.Boolean({ description: 'false: the seller deleted the file, or it failed a virus scan' }),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const PurchasePageSchema = PageSchema(PurchaseSchema);

export const DownloadLinkSchema = Type.Object(
  {
    url: Type.String({ description: 'Path of the download, with its expiry and signature; GET needs no token' }),
    expires_at: Timestamp,
  },
  closed,
);

export const DownloadQuery = Type.Object(
  {
    expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'From the link: Unix time, seconds' }),
    signature: Type.String({ minLength: 1, maxLength: 200, description: 'From the link' }),
  },
  closed,
);

export const VerifyQuery = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'A licence key, VZL- and six groups of five; case, spaces and missing dashes are forgiven',
    }),
  },
  closed,
);

export const VerificationSchema = Type.Object(
  {
    key: Type.String({ description: 'The key as it was read (normalised)' }),
    valid: Type.Boolean({ description: 'true: a licence in force for the product below' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('unknown')], {
      description: 'unknown: no licence has this key; revoked: the purchase was refunded',
    }),
    product: Nullable(Type.Object({ id: Uuid, name: Type.String() }, closed)),
    license: Nullable(
      Type.Object({ name: Nullable(Type.String()), terms: Nullable(Type.String()), usage_rights: UsageRights }, closed),
    ),
    issued_at: Nullable(Timestamp),
    revoked_at: Nullable(Timestamp),
  },
  closed,
);
