// The contract of blocks (issue 15 §2, ADR 0061): TypeBox schemas = the OpenAPI document of the block routes.
import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { PersonSchema } from './follows.schemas.ts';

const closed = { additionalProperties: false } as const;

/** blocks.reason is VARCHAR(255). */
export const BLOCK_REASON_MAX_LENGTH = 255;

/** One line: no control characters at all (line breaks included) and no text-direction overrides. */
const SINGLE_LINE_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]*$';

export const BlockCreateSchema = Type.Object(
  {
    reason: Type.Optional(
      Type.Union([
        Type.String({
          maxLength: BLOCK_REASON_MAX_LENGTH,
          pattern: SINGLE_LINE_PATTERN,
          description:
            `A private note for yourself, one line, at most ${BLOCK_REASON_MAX_LENGTH} characters (blank: none); ` +
            'never shown to the person blocked',
        }),
        Type.Null(),
      ]),
    ),
  },
  closed,
);
export type BlockCreate = Static<typeof BlockCreateSchema>;

export const BlockSchema = Type.Object({
  user: PersonSchema,
  reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
export type Block = Static<typeof BlockSchema>;
export const BlockPageSchema = PageSchema(BlockSchema);
