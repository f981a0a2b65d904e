// The reviews API contract (issue 16 §9): verified buyers review a purchase once, the seller answers once.
import { Type } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';
import { TEXT_PATTERN } from '../../platform/http/text-patterns.ts';
import { Timestamp, Uuid } from './common.schemas.ts';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const CreateReviewSchema = Type.Object(
  {
    order_item_id: Type.String({ format: 'uuid', description: 'Your paid order line of this product' }),
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    title: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 255, pattern: TEXT_PATTERN }))),
    content: Type.String({
      minLength: 10,
      maxLength: 2000,
      pattern: TEXT_PATTERN,
      description: '10 to 2,000 characters (chk_product_reviews_content_length)',
    }),
  },
  closed,
);

export const ReviewResponseSchema = Type.Object(
  {
    response: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: TEXT_PATTERN,
      description: '1 to 2,000 characters',
    }),
  },
  closed,
);

export const ReviewSchema = Type.Object({
  id: Uuid,
  product_id: Uuid,
  user_id: Uuid,
  rating: Type.Integer(),
  title: Nullable(Type.String()),
  content: Nullable(Type.String()),
  is_verified_purchase: Type.Boolean(),
  seller_response: Nullable(Type.String()),
  seller_responded_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ReviewListSchema = PageSchema(ReviewSchema);
export const ReviewListQuerySchema = Type.Object(PageQuerySchema.properties, closed);
export const ReviewParams = Type.Object({ id: Uuid, review_id: Uuid }, closed);
