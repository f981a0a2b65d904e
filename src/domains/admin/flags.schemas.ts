// The feature flags API contract (issue 18 §14; ADR 0096): admins create, change and delete flags; a signed-in caller
// reads the ones that apply to them.
import { Type, type Static } from 'typebox';
import { closed, literals, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';
import { SETTING_KEY_PATTERN } from './configs.schemas.ts';

export const FlagKeyParams = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: SETTING_KEY_PATTERN,
      description: 'Dotted lowercase name, e.g. marketplace.licenses_v2',
    }),
  },
  closed,
);

const ROLES = ['user', 'creator', 'premium', 'moderator', 'admin'] as const;

/** Declared targeting only (spec §17): platform roles and named testers, never behaviour. */
export const FlagConditionsSchema = Type.Object(
  {
    roles: Type.Optional(
      Type.Array(literals(ROLES), {
        maxItems: ROLES.length,
        uniqueItems: true,
        description: 'Only these platform roles (absent or empty: every role)',
      }),
    ),
    testers: Type.Optional(
      Type.Array(Uuid, {
        maxItems: 200,
        uniqueItems: true,
        description: 'Accounts that get the flag whenever it is enabled, whatever the rollout and roles',
      }),
    ),
  },
  { ...closed, description: 'Targeting: roles and testers; nothing else is accepted' },
);

export const FlagWriteSchema = Type.Object(
  {
    description: Type.Optional(Nullable(Type.String({ maxLength: 500, pattern: '^[^\\u0000]*$' }))),
    is_enabled: Type.Boolean({ description: 'Master switch: false turns the feature off for everyone' }),
    rollout_percentage: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Share of the targeted accounts that get it, chosen by a stable hash of the account id',
    }),
    conditions: Type.Optional(FlagConditionsSchema),
  },
  closed,
);
export type FlagWrite = Static<typeof FlagWriteSchema>;

export const FlagSchema = Type.Object({
  key: Type.String(),
  description: Nullable(Type.String()),
  is_enabled: Type.Boolean(),
  rollout_percentage: Type.Integer(),
  conditions: FlagConditionsSchema,
  updated_at: Timestamp,
  updated_by: Nullable(Uuid),
});
export type FlagView = Static<typeof FlagSchema>;

export const FlagListSchema = Type.Object({ items: Type.Array(FlagSchema) });

export const MyFlagsSchema = Type.Object({
  flags: Type.Array(Type.String(), { description: 'Keys of the flags that are on for you, sorted' }),
});
