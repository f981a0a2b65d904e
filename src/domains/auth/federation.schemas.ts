import { Type, type Static } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';

/** Any name: one that is not configured is a 404, whatever its shape. */
export const ProviderParamsSchema = Type.Object(
  { provider: Type.String({ minLength: 1, maxLength: 50, description: 'Provider name from VEZA_OIDC_PROVIDERS' }) },
  { additionalProperties: false },
);

const RedirectUri = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'Where the provider sends the browser back; must be one of VEZA_OIDC_REDIRECT_URIS exactly',
});

export const StartQuerySchema = Type.Object({ redirect_uri: RedirectUri }, { additionalProperties: false });

export const LinkStartBodySchema = Type.Object({ redirect_uri: RedirectUri }, { additionalProperties: false });

export const AuthorizationUrlSchema = Type.Object({
  authorization_url: Type.String({ description: 'Send the browser here; the state cookie came with this answer' }),
});

const Parameter = Type.String({ maxLength: 4096 });

/**
 * The authorization response as the provider sent it. Providers add parameters of their own (`iss`, `scope`,
 * `session_state`, `authuser`…), so unknown ones are accepted and handed to the validation as they came.
 */
export const CallbackQuerySchema = Type.Object(
  {
    state: Type.String({ minLength: 1, maxLength: 512 }),
    code: Type.Optional(Parameter),
    iss: Type.Optional(Parameter),
    error: Type.Optional(Parameter),
    error_description: Type.Optional(Parameter),
  },
  { additionalProperties: Parameter },
);

export const IdentitySchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    provider: Type.String(),
    provider_email: Type.Union([Type.String(), Type.Null()]),
    provider_username: Type.Union([Type.String(), Type.Null()]),
    provider_avatar_url: Type.Union([Type.String(), Type.Null()]),
    is_primary: Type.Boolean({ description: 'The identity the account was created with' }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time', description: 'Last login or link through it' }),
  },
  { description: 'A provider identity linked to the account; the provider’s tokens are never shown' },
);

export const IdentityPageSchema = PageSchema(IdentitySchema);

const SessionFields = {
  user_id: Type.String({ format: 'uuid' }),
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.String(),
  expires_in: Type.Integer({ description: 'Lifetime of the access token, in seconds' }),
};

export const SessionSchema = Type.Object(SessionFields);

export const CallbackResultSchema = Type.Union(
  [
    Type.Object(
      { outcome: Type.Literal('logged_in'), ...SessionFields },
      { description: 'The identity was known: a session for its account' },
    ),
    Type.Object(
      {
        outcome: Type.Literal('mfa_required'),
        mfa_token: Type.String({ description: 'Complete the login with a TOTP or backup code, as after a password' }),
        expires_in: Type.Integer({ description: 'Seconds the challenge stays valid' }),
      },
      { description: 'The identity was known and its account has two-factor authentication on' },
    ),
    Type.Object(
      { outcome: Type.Literal('linked'), identity: IdentitySchema },
      { description: 'The flow began with link/start: the identity is now linked to that account' },
    ),
    Type.Object(
      {
        outcome: Type.Literal('registration_required'),
        registration_token: Type.String({ description: 'Pass to POST /v1/auth/oidc/complete-registration' }),
        expires_in: Type.Integer({ description: 'Seconds the registration token stays valid' }),
        provider: Type.String(),
        email: Type.String(),
        email_verified: Type.Boolean(),
        suggested_username: Type.String(),
      },
      { description: 'A new person: show the terms and ask for consent, then complete the registration' },
    ),
  ],
  { description: 'What the callback did, told by `outcome`' },
);

export const CompleteRegistrationBodySchema = Type.Object(
  {
    registration_token: Type.String({ minLength: 1, maxLength: 12000 }),
    username: Type.Optional(
      Type.String({
        pattern: '^[a-zA-Z0-9_]{3,30}$',
        description: '3-30 of a-z, A-Z, 0-9, _; default: suggested_username',
      }),
    ),
    data_processing_consent: Type.Literal(true, {
      description: 'Explicit consent to the processing of personal data (spec §19.1): required',
    }),
    marketing_consent: Type.Optional(Type.Boolean({ description: 'Optional, separate consent; default false' })),
  },
  { additionalProperties: false },
);
export type CompleteRegistrationBody = Static<typeof CompleteRegistrationBodySchema>;

export const IdentityParamsSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
