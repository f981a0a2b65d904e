// The catalogue API contract (issue 16 §1, 2, 9; ADRs 0068, 0069): products, licences, favourites, reviews.
// TypeBox schemas = OpenAPI document. Amounts are decimal strings with two decimals (ADR 0071, money.ts).
import { Type, type Static } from 'typebox';
import { SLUG_PATTERN } from '../../platform/http/name-and-slug.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { NO_CONTROL_PATTERN, TEXT_PATTERN } from '../../platform/http/text-patterns.ts';
import { CURRENCIES } from './money.ts';
import { closed, Nullable, Timestamp, Uuid } from './common.schemas.ts';

const Text = (maxLength: number, description: string, minLength = 1) =>
  Type.String({ minLength, maxLength, pattern: minLength > 0 ? TEXT_PATTERN : NO_CONTROL_PATTERN, description });

export const CATEGORIES = ['sample', 'beat', 'preset', 'template', 'service'] as const;
export type Category = (typeof CATEGORIES)[number];
export const PRICING_MODELS = ['fixed', 'pwyw', 'free'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];
export const PRODUCT_STATUSES = ['draft', 'active', 'inactive', 'suspended'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** A DECIMAL(10,2) amount as the API writes it: "12.50"; parsed by money.ts (which refuses 3 decimals, NaN…). */
export const Amount = Type.String({
  pattern: '^\\d{1,8}(\\.\\d{1,2})?$',
  maxLength: 11,
  description: 'A decimal amount with at most two decimals, e.g. "12.50" (never a binary float)',
});
const Currency = literals(CURRENCIES, 'ISO 4217 code; one currency per product, its licences and any order');
const Tag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} _&+#.-]*$' });
const Format = Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._+-]*$' });
/** A musical key: a note, an optional sharp or flat, an optional mode ("C#m", "Eb", "F minor"). */
const MusicalKey = Type.String({
  maxLength: 10,
  pattern: '^[A-G][#b]?(m| ?(major|minor|maj|min))?$',
  description: 'A note, an optional # or b, an optional mode: C, C#m, Eb, F minor',
});
const Bpm = Type.Integer({ minimum: 20, maximum: 400 });
const Slug = Type.String({
  minLength: 3,
  maxLength: 100,
  pattern: SLUG_PATTERN,
  description: 'Lower-case letters, digits and single dashes; made from the name when left out',
});

const productFields = {
  name: Text(255, '1 to 255 characters'),
  description: Text(10_000, 'At most 10,000 characters', 0),
  category: literals(CATEGORIES),
  tags: Type.Array(Tag, { maxItems: 10, uniqueItems: true, description: 'Up to 10 tags' }),
  genre: Nullable(Text(100, '1 to 100 characters')),
  bpm: Nullable(Bpm),
  musical_key: Nullable(MusicalKey),
  formats: Type.Array(Format, { maxItems: 10, uniqueItems: true, description: 'WAV, MP3, FLAC, VST…' }),
  pricing_model: literals(PRICING_MODELS, 'fixed: price; pwyw: the buyer pays at least minimum_price; free: 0.00'),
  price: Amount,
  minimum_price: Nullable(Amount, { description: 'pwyw only: the lowest amount accepted' }),
  currency: Currency,
  preview_file_id: Nullable(Uuid, {
    description: 'A streamable audio file of yours, public once the product is on sale',
  }),
  download_file_ids: Type.Array(Uuid, {
    maxItems: 20,
    uniqueItems: true,
    description: 'Files of yours delivered to buyers only',
  }),
  image_file_ids: Type.Array(Uuid, { maxItems: 10, uniqueItems: true, description: 'Image files of yours' }),
};

export const CreateProductSchema = Type.Object(
  {
    name: productFields.name,
    slug: Type.Optional(Slug),
    description: Type.Optional(productFields.description),
    category: productFields.category,
    tags: Type.Optional(productFields.tags),
    genre: Type.Optional(productFields.genre),
    bpm: Type.Optional(productFields.bpm),
    musical_key: Type.Optional(productFields.musical_key),
    formats: Type.Optional(productFields.formats),
    pricing_model: productFields.pricing_model,
    price: productFields.price,
    minimum_price: Type.Optional(productFields.minimum_price),
    currency: Type.Optional(productFields.currency),
    preview_file_id: Type.Optional(productFields.preview_file_id),
    download_file_ids: Type.Optional(productFields.download_file_ids),
    image_file_ids: Type.Optional(productFields.image_file_ids),
  },
  closed,
);
export type CreateProduct = Static<typeof CreateProductSchema>;

export const UpdateProductSchema = Type.Object(
  {
    name: Type.Optional(productFields.name),
    description: Type.Optional(productFields.description),
    category: Type.Optional(productFields.category),
    tags: Type.Optional(productFields.tags),
    genre: Type.Optional(productFields.genre),
    bpm: Type.Optional(productFields.bpm),
    musical_key: Type.Optional(productFields.musical_key),
    formats: Type.Optional(productFields.formats),
    pricing_model: Type.Optional(productFields.pricing_model),
    price: Type.Optional(productFields.price),
    minimum_price: Type.Optional(productFields.minimum_price),
    currency: Type.Optional(productFields.currency),
    preview_file_id: Type.Optional(productFields.preview_file_id),
    download_file_ids: Type.Optional(productFields.download_file_ids),
    image_file_ids: Type.Optional(productFields.image_file_ids),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateProduct = Static<typeof UpdateProductSchema>;

/**
 * What a licence allows (ADR 0069), stored in product_licenses.usage_rights and shown to buyers and on the public
 * licence verification. A limit of null means unlimited.
 */
export const UsageRightsSchema = Type.Object(
  {
    commercial_use: Type.Boolean({ description: 'Use in a release that earns money' }),
    streams_limit: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }), {
      description: 'Audio streams allowed in total; null: unlimited',
    }),
    copies_limit: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), {
      description: 'Copies (downloads, physical units) that may be distributed; null: unlimited',
    }),
    music_videos_limit: Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }), {
      description: 'Music videos allowed; null: unlimited',
    }),
    broadcast: Type.Boolean({ description: 'Radio and TV broadcasting' }),
    live_performances: Type.Boolean({ description: 'Paid live performances' }),
    credit_required: Type.Boolean({ description: 'The seller must be credited (e.g. "prod. by")' }),
    territory: Type.Union(
      [
        Type.Literal('worldwide'),
        Type.Array(Type.String({ pattern: '^[A-Z]{2}$' }), {
          minItems: 1,
          maxItems: 250,
          uniqueItems: true,
        }),
      ],
      { description: '"worldwide" or ISO 3166-1 alpha-2 country codes' },
    ),
    term_months: Nullable(Type.Integer({ minimum: 1, maximum: 1200 }), {
      description: 'How long the licence lasts; null: perpetual',
    }),
  },
  { ...closed, $id: 'UsageRights', description: 'What a licence allows (ADR 0069)' },
);
export type UsageRights = Static<typeof UsageRightsSchema>;

const licenseFields = {
  name: Text(255, '1 to 255 characters, e.g. Basic lease'),
  description: Nullable(Text(2000, 'At most 2,000 characters', 0)),
  price: Amount,
  terms: Text(20_000, 'The licence text the buyer agrees to'),
  usage_rights: UsageRightsSchema,
  is_exclusive: Type.Boolean({ description: 'One unit; its sale withdraws the other licences and the product' }),
  distribution_limit: Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), {
    description: 'Units that may be sold; null: unlimited (an exclusive licence is always one unit)',
  }),
};

export const CreateLicenseSchema = Type.Object(
  {
    name: licenseFields.name,
    description: Type.Optional(licenseFields.description),
    price: licenseFields.price,
    terms: licenseFields.terms,
    usage_rights: licenseFields.usage_rights,
    is_exclusive: Type.Optional(licenseFields.is_exclusive),
    distribution_limit: Type.Optional(licenseFields.distribution_limit),
  },
  closed,
);
export type CreateLicense = Static<typeof CreateLicenseSchema>;

export const UpdateLicenseSchema = Type.Object(
  {
    name: Type.Optional(licenseFields.name),
    description: Type.Optional(licenseFields.description),
    price: Type.Optional(licenseFields.price),
    terms: Type.Optional(licenseFields.terms),
    usage_rights: Type.Optional(licenseFields.usage_rights),
    is_exclusive: Type.Optional(licenseFields.is_exclusive),
    distribution_limit: Type.Optional(licenseFields.distribution_limit),
  },
  { ...closed, minProperties: 1 },
);
export type UpdateLicense = Static<typeof UpdateLicenseSchema>;

export const LicenseSchema = Type.Object({
  id: Uuid,
  product_id: Uuid,
  name: Type.String(),
  description: Nullable(Type.String()),
  price: Amount,
  currency: Type.String(),
  terms: Type.String(),
  usage_rights: Nullable(Type.Unknown({ description: 'UsageRights (null for licences older than ADR 0069)' })),
  is_exclusive: Type.Boolean(),
  distribution_limit: Nullable(Type.Integer()),
  units_available: Nullable(Type.Integer({ description: 'Units left to sell; null: unlimited' })),
  on_sale: Type.Boolean({ description: 'Not withdrawn and a unit left' }),
  withdrawn_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ProductSchema = Type.Object({
  id: Uuid,
  seller_id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  category: literals(CATEGORIES),
  tags: Type.Array(Type.String()),
  genre: Nullable(Type.String()),
  bpm: Nullable(Type.Integer()),
  musical_key: Nullable(Type.String()),
  formats: Type.Array(Type.String()),
  pricing_model: literals(PRICING_MODELS),
  price: Amount,
  minimum_price: Nullable(Amount),
  currency: Type.String(),
  preview_file_id: Nullable(Uuid),
  image_file_ids: Type.Array(Uuid),
  download_file_ids: Type.Optional(
    Type.Array(Uuid, { description: "The seller's own view only: files delivered to buyers" }),
  ),
  status: literals(PRODUCT_STATUSES),
  view_count: Type.Integer(),
  favorite_count: Type.Integer(),
  sale_count: Type.Integer(),
  review_count: Type.Integer(),
  average_rating: Type.String({ description: '0.00 to 5.00' }),
  published_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ProductPageSchema = Type.Object({
  ...ProductSchema.properties,
  licenses: Type.Array(LicenseSchema),
  favorited: Type.Boolean({ description: "In the caller's favourites (false when anonymous)" }),
});

export const ProductIdParams = Type.Object({ id: Uuid }, closed);
export const LicenseParams = Type.Object({ id: Uuid, license_id: Uuid }, closed);
export const ImageParams = Type.Object({ id: Uuid, file_id: Uuid }, closed);

export const CatalogueQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    category: Type.Optional(literals(CATEGORIES)),
    genre: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: TEXT_PATTERN })),
    min_price: Type.Optional(Amount),
    max_price: Type.Optional(Amount),
    currency: Type.Optional(Currency),
    bpm_min: Type.Optional(Bpm),
    bpm_max: Type.Optional(Bpm),
    key: Type.Optional(MusicalKey),
    tag: Type.Optional(
      Type.Union([Tag, Type.Array(Tag, { maxItems: 5 })], {
        description: 'A tag, or several (tag=a&tag=b): products carrying all of them',
      }),
    ),
    seller_id: Type.Optional(Uuid),
  },
  closed,
);
export type CatalogueQuery = Static<typeof CatalogueQuerySchema>;

export const MyProductsQuerySchema = Type.Object(
  { ...PageQuerySchema.properties, status: Type.Optional(literals(PRODUCT_STATUSES)) },
  closed,
);

export const ProductListSchema = PageSchema(ProductSchema);

export const SuspensionSchema = Type.Object(
  { reason: Text(500, 'Why, for the seller and the moderation log: 1 to 500 characters') },
  closed,
);

export const SuspensionLiftSchema = Type.Object(
  {
    reason: Type.Optional(
      Text(500, 'Why it is lifted, for the moderation log (default: Suspension lifted): 1 to 500 characters'),
    ),
  },
  closed,
);

export const FavoriteStateSchema = Type.Object({
  product_id: Uuid,
  favorited: Type.Boolean(),
  favorite_count: Type.Integer(),
});

export const FavoriteSchema = Type.Object({ product: ProductSchema, favorited_at: Timestamp });
export const FavoriteListSchema = PageSchema(FavoriteSchema);
