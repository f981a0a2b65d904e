// The system settings API contract (issue 18 §13; ADR 0096): admins read and change registered keys; anyone reads
// the public ones.
import { Type, type Static } from 'typebox';
import { closed, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';

/** The format of migration 0014's chk_system_configs_key_format / chk_feature_flags_key_format. */
export const SETTING_KEY_PATTERN = '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$';

export const ConfigKeyParams = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: SETTING_KEY_PATTERN,
      description: 'Dotted lowercase name, e.g. auth.registration_open',
    }),
  },
  closed,
);

export const ConfigSchema = Type.Object({
  key: Type.String(),
  value: Type.Unknown({ description: 'The value in force: the one set by an admin, else the default' }),
  default: Type.Unknown(),
  is_default: Type.Boolean({ description: 'No admin has set it (or it was reset): the default is in force' }),
  is_public: Type.Boolean({ description: 'Readable by anyone through GET /v1/configs/public' }),
  description: Type.String(),
  schema: Type.Unknown({ description: 'The JSON Schema every value must satisfy' }),
  updated_at: Nullable(Timestamp),
  updated_by: Nullable(Uuid, 'Admin who last set it'),
});
export type ConfigView = Static<typeof ConfigSchema>;

export const ConfigListSchema = Type.Object({ items: Type.Array(ConfigSchema) });

export const ConfigUpdateSchema = Type.Object(
  { value: Type.Unknown({ description: "Any JSON value; checked against the key's schema" }) },
  closed,
);

export const PublicConfigsSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Every public setting by key, with the value in force',
});
