// The contract of /v1/me/subsonic-credentials (issue 13 §6, ADR 0051): TypeBox schemas = the OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../../platform/http/pagination.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Kind = Type.Union([Type.Literal('app_password'), Type.Literal('api_key')], {
  description:
    '`app_password`: a password for the Subsonic `u` + `t`/`s` (or `p`) sign-in every player supports; ' +
    '`api_key`: an OpenSubsonic `apiKey` (no username needed; only players supporting apiKeyAuthentication)',
});

export const CredentialIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, closed);

export const CredentialListQuerySchema = PageQuerySchema;
export type CredentialListQuery = Static<typeof CredentialListQuerySchema>;

export const CreateCredentialSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      // No control or text-direction characters: the name is shown in lists.
      pattern: '^[^\\u0000-\\u001f\\u007f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$',
      description: 'A label: the player or the device it is for',
    }),
    kind: Kind,
  },
  closed,
);
export type CreateCredential = Static<typeof CreateCredentialSchema>;

export const CredentialSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  kind: Kind,
  hint: Type.String({ description: 'The last characters of the secret' }),
  created_at: Timestamp,
  last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'Updated at most once an hour' }),
});
export type Credential = Static<typeof CredentialSchema>;

export const CreatedCredentialSchema = Type.Object({
  ...CredentialSchema.properties,
  secret: Type.String({
    description:
      'The app password or API key. Shown this once: Veza keeps it sealed (app password) or hashed (API key)',
  }),
});
export type CreatedCredential = Static<typeof CreatedCredentialSchema>;

export const CredentialListSchema = PageSchema(CredentialSchema);
