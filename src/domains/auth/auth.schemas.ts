import { Type } from 'typebox';
import { PageSchema } from '../../platform/http/pagination.ts';
import { NO_NUL_PATTERN } from '../../platform/http/text-patterns.ts';
import { PASSWORD_MIN_LENGTH } from './password-policy.ts';

// The rules of the database's CHECKs (migration 0002), checked first here so that a bad value is a 400
// naming the field and the JSON Schema rule; chk_users_* stays behind them as the last word.
const EMAIL = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';
const USERNAME = '^[a-zA-Z0-9_]{3,30}$';

const Password = (description: string) =>
  Type.String({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: 72,
    description:
      `${description}. At least ${PASSWORD_MIN_LENGTH} characters and at most 72 bytes (what bcrypt reads); ` +
      'not the username, the email or its local part, nor a very common password; not one of your last 5.',
  });

/** Whatever was sent as a password to check: its length is not a rule worth revealing. */
const PresentedPassword = Type.String({ minLength: 1, maxLength: 1024 });

const OpaqueToken = (description: string) =>
  Type.String({ minLength: 1, maxLength: 200, description: `${description} (\`selector.verifier\`)` });

const DeviceType = Type.Union([Type.Literal('mobile'), Type.Literal('desktop'), Type.Literal('tablet')]);
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

export const RegisterBodySchema = Type.Object(
  {
    email: Type.String({ maxLength: 255, pattern: EMAIL, description: 'Stored in lower case' }),
    username: Type.String({ minLength: 3, maxLength: 30, pattern: USERNAME, description: 'Letters, digits, _' }),
    password: Password('The new account’s password'),
    data_processing_consent: Type.Literal(true, {
      description: 'Explicit consent to the processing of your data (GDPR Art. 6, spec §19.1): required, must be true',
    }),
    marketing_consent: Type.Optional(
      Type.Boolean({ default: false, description: 'Separate, optional consent to marketing mail' }),
    ),
  },
  { additionalProperties: false },
);

export const TokenBodySchema = Type.Object(
  { token: OpaqueToken('The token of the link received by mail') },
  { additionalProperties: false },
);

export const LoginBodySchema = Type.Object(
  {
    identifier: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: NO_NUL_PATTERN,
      description: 'Email address or username',
    }),
    password: PresentedPassword,
    device_name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL_PATTERN, description: 'e.g. "Ada’s laptop"' }),
    ),
    device_type: Type.Optional(DeviceType),
  },
  { additionalProperties: false },
);

const SessionFields = {
  access_token: Type.String({ description: 'JWT for `Authorization: Bearer`' }),
  refresh_token: Type.String({ description: 'Opaque; shown this once; rotates at every refresh' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
};

export const SessionSchema = Type.Object(SessionFields);

export const LoginResultSchema = Type.Union([
  Type.Object({ mfa_required: Type.Literal(false), ...SessionFields }),
  Type.Object({
    mfa_required: Type.Literal(true),
    mfa_token: Type.String({ description: 'Send it with a code to POST /v1/auth/login/mfa' }),
    expires_in: Type.Integer({ description: 'Seconds the mfa_token stays valid' }),
  }),
]);

export const MfaBodySchema = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 2000 }),
    code: Type.String({ minLength: 6, maxLength: 14, description: 'A 6-digit TOTP code or a backup code' }),
  },
  { additionalProperties: false },
);

export const RefreshBodySchema = Type.Object(
  { refresh_token: OpaqueToken('The refresh token') },
  { additionalProperties: false },
);

export const AccessTokenSchema = Type.Object({
  access_token: SessionFields.access_token,
  token_type: SessionFields.token_type,
  expires_in: SessionFields.expires_in,
});

export const DeviceSessionSchema = Type.Object({
  id: Type.String({
    format: 'uuid',
    description: 'Id of the session’s current refresh token: it changes at each refresh',
  }),
  device_name: Type.Union([Type.String(), Type.Null()]),
  device_type: Type.Union([DeviceType, Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  ip_address: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time', description: 'When its current refresh token was issued' }),
  last_used_at: NullableTimestamp,
  expires_at: Timestamp,
});

export const DeviceSessionPageSchema = PageSchema(DeviceSessionSchema);

export const SessionParamsSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const ChangePasswordBodySchema = Type.Object(
  {
    current_password: PresentedPassword,
    new_password: Password('The new password'),
    refresh_token: Type.Optional(OpaqueToken('This device’s refresh token: its session is kept, every other one ends')),
  },
  { additionalProperties: false },
);

export const ResetRequestBodySchema = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 255, pattern: NO_NUL_PATTERN }) },
  { additionalProperties: false },
);

export const ResetConfirmBodySchema = Type.Object(
  { token: OpaqueToken('The token of the reset link'), new_password: Password('The new password') },
  { additionalProperties: false },
);

export const AcceptedSchema = Type.Object({
  status: Type.Literal('accepted'),
});

export const TotpEnrollmentSchema = Type.Object({
  secret: Type.String({ description: 'Base32 TOTP secret, shown this once' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… for a QR code, shown this once' }),
});

export const TotpCodeBodySchema = Type.Object(
  { code: Type.String({ pattern: '^[0-9]{6}$', description: 'The current 6-digit code of the authenticator' }) },
  { additionalProperties: false },
);

export const BackupCodesSchema = Type.Object({
  backup_codes: Type.Array(Type.String(), { description: '10 single-use codes, shown this once' }),
});

export const TotpDisableBodySchema = Type.Object(
  {
    password: PresentedPassword,
    code: Type.String({ minLength: 6, maxLength: 14, description: 'A current TOTP code or a backup code' }),
  },
  { additionalProperties: false },
);

export const TwoFactorStatusSchema = Type.Object({
  totp_enabled: Type.Boolean(),
  totp_enabled_at: NullableTimestamp,
  backup_codes_remaining: Type.Integer({ minimum: 0 }),
});
