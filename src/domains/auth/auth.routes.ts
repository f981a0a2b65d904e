// HTTP surface of the auth domain: each route validates, calls one service method, shapes the answer.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireCaller } from '../../platform/http/caller.ts';
import { PageQuerySchema } from '../../platform/http/pagination.ts';
import { AUTHENTICATED, NoContent, problems, signedIn } from '../../platform/http/route-kit.ts';
import {
  AcceptedSchema,
  AccessTokenSchema,
  BackupCodesSchema,
  ChangePasswordBodySchema,
  DeviceSessionPageSchema,
  LoginBodySchema,
  LoginResultSchema,
  MfaBodySchema,
  RefreshBodySchema,
  RegisterBodySchema,
  ResetConfirmBodySchema,
  ResetRequestBodySchema,
  SessionParamsSchema,
  SessionSchema,
  TokenBodySchema,
  TotpCodeBodySchema,
  TotpDisableBodySchema,
  TotpEnrollmentSchema,
  TwoFactorStatusSchema,
} from './auth.schemas.ts';
import { clientOf, LOCKOUT, withRetryAfter } from './auth.http.ts';
import type { LoginService } from './login.service.ts';
import type { PasswordService } from './password.service.ts';
import type { RegistrationService } from './registration.service.ts';
import type { SessionService } from './session.service.ts';
import type { TwoFactorService } from './two-factor.service.ts';

export interface AuthServices {
  registration: RegistrationService;
  login: LoginService;
  sessions: SessionService;
  passwords: PasswordService;
  twoFactor: TwoFactorService;
}

const tags = ['auth'];
const security = AUTHENTICATED;

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date ? date.toISOString() : null);
type DeviceType = 'mobile' | 'desktop' | 'tablet';

export function registerAuthRoutes(instance: FastifyInstance, services: AuthServices): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { registration, login, sessions, passwords, twoFactor } = services;

  // --- registration and email verification ----------------------------------------------------------------

  app.post(
    '/auth/register',
    {
      // A retried registration must not send a second verification mail or answer 409 to its own first attempt.
      config: { idempotent: true, rateLimitPolicy: 'register' },
      schema: {
        tags,
        summary: 'Create an account (explicit consent to data processing required)',
        description:
          'Anyone may call. Creates the account with its profile and settings, and mails a verification link ' +
          '(valid VEZA_EMAIL_VERIFICATION_TTL_HOURS, default 24 h); answers 202 "check your mail". An address ' +
          'that already has an account gets the very same 202, and its owner a mail instead (ADR 0033): the ' +
          'answer never tells whether an address is registered. A username in use is a 409 USERNAME_TAKEN ' +
          '(usernames are public). Accounts may log in before verifying their address. Rate-limited per ' +
          'client address (429 with Retry-After). While an admin has closed registration (setting ' +
          'auth.registration_open), 403 REGISTRATION_CLOSED.',
        body: RegisterBodySchema,
        response: { 202: AcceptedSchema, ...problems(400, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      await registration.register(request.body, clientOf(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags,
        summary: 'Verify your email address with the token of the mailed link',
        description:
          'Anyone holding the token may call; the token works once and expires. The link of an email change ' +
          '(POST /v1/me/email) moves the account to its new address and tells the old one; 409 EMAIL_TAKEN when ' +
          'another account took that address meanwhile.',
        body: TokenBodySchema,
        response: { 204: NoContent, ...problems(400, 409) },
      },
    },
    async (request, reply) => {
      await registration.verifyEmail(request.body.token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email/resend',
    {
      config: { rateLimitPolicy: 'mailedLink' },
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Mail a new verification link to your address',
        description: 'For a signed-in user whose address is not verified yet; three mails an hour at most.',
        response: { 202: AcceptedSchema, ...problems(401, 409, 429) },
      },
    },
    async (request, reply) => {
      await registration.resendVerification(requireCaller(request).userId);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  // --- login ----------------------------------------------------------------------------------------------

  app.post(
    '/auth/login',
    {
      config: { rateLimitPolicy: 'login' },
      schema: {
        tags,
        summary: 'Log in with an email or username and a password',
        description:
          'Anyone may call. Answers the tokens, or, when two-factor authentication is on, ' +
          '`{mfa_required: true, mfa_token}` to complete with POST /v1/auth/login/mfa. A wrong password and an ' +
          `unknown identifier get the same 401 INVALID_CREDENTIALS. ${LOCKOUT}`,
        body: LoginBodySchema,
        response: { 200: LoginResultSchema, ...problems(400, 401, 403, 429) },
      },
    },
    (request, reply) => withRetryAfter(reply, () => login.login(request.body, clientOf(request))),
  );

  app.post(
    '/auth/login/mfa',
    {
      config: { rateLimitPolicy: 'login' },
      schema: {
        tags,
        summary: 'Complete a login with a TOTP code or a backup code',
        description: `Anyone holding the mfa_token of a login may call; it is valid 5 minutes. ${LOCKOUT}`,
        body: MfaBodySchema,
        response: { 200: SessionSchema, ...problems(400, 401, 429) },
      },
    },
    (request, reply) => withRetryAfter(reply, () => login.completeMfa(request.body, clientOf(request))),
  );

  // --- sessions -------------------------------------------------------------------------------------------

  app.post(
    '/auth/refresh',
    {
      config: { rateLimitPolicy: 'refresh' },
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens (the refresh token rotates)',
        description:
          'Anyone holding a refresh token may call. The token presented is revoked and a new one returned. ' +
          'Presenting a token that was already exchanged revokes every token of its session (401), except ' +
          'within 10 s of the exchange from the same kind of client (User-Agent), which gets the same new pair: ' +
          'two tabs refreshing at once both stay signed in.',
        body: RefreshBodySchema,
        response: { 200: SessionSchema, ...problems(400, 401, 429) },
      },
    },
    (request) => {
      const client = clientOf(request);
      return sessions.refresh(request.body.refresh_token, { user_agent: client.userAgent, ip_address: client.ip });
    },
  );

  app.post(
    '/auth/logout',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Log out this device: revoke its refresh token',
        description: 'The refresh token must be one of yours (404 otherwise). The access token lives until it expires.',
        body: RefreshBodySchema,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.logout(requireCaller(request).userId, request.body.refresh_token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/logout-all',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Log out everywhere: every access and refresh token of your account stops working',
        response: { 204: NoContent, ...problems(401) },
      },
    },
    async (request, reply) => {
      await sessions.logoutAll(requireCaller(request).userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/sessions',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Your active sessions (devices), newest first',
        querystring: PageQuerySchema,
        response: { 200: DeviceSessionPageSchema, ...problems(400, 401) },
      },
    },
    async (request) => {
      const page = await sessions.list(requireCaller(request).userId, request.query);
      return {
        next_cursor: page.next_cursor,
        items: page.items.map((session) => ({
          ...session,
          device_type: session.device_type as DeviceType | null,
          created_at: iso(session.created_at),
          last_used_at: isoOrNull(session.last_used_at),
          expires_at: iso(session.expires_at),
        })),
      };
    },
  );

  app.delete(
    '/auth/sessions/:id',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Revoke one of your sessions (log a device out)',
        description: 'Only your own active sessions: any other id is a 404.',
        params: SessionParamsSchema,
        response: { 204: NoContent, ...problems(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await sessions.revoke(requireCaller(request).userId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  // --- passwords ------------------------------------------------------------------------------------------

  app.post(
    '/auth/password',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Change your password',
        description:
          'Needs the current password. Every other session ends; pass this device’s refresh_token to keep its ' +
          'session. Answers a new access token for this device (the old one stops working).',
        body: ChangePasswordBodySchema,
        response: { 200: AccessTokenSchema, ...problems(400, 401, 403, 409, 429) },
      },
    },
    (request, reply) =>
      withRetryAfter(reply, () => passwords.change(requireCaller(request).userId, request.body, clientOf(request))),
  );

  app.post(
    '/auth/password-reset/request',
    {
      config: { rateLimitPolicy: 'mailedLink' },
      schema: {
        tags,
        summary: 'Ask for a password reset link by mail',
        description:
          'Anyone may call. Always 202, whether the address has an account or not; the link is valid ' +
          'VEZA_PASSWORD_RESET_TTL_MINUTES (default 60) and works once.',
        body: ResetRequestBodySchema,
        response: { 202: AcceptedSchema, ...problems(400, 429) },
      },
    },
    async (request, reply) => {
      await passwords.requestReset(request.body.email, clientOf(request));
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      schema: {
        tags,
        summary: 'Set a new password with the token of a reset link',
        description: 'Anyone holding the token may call. Every session of the account ends.',
        body: ResetConfirmBodySchema,
        response: { 204: NoContent, ...problems(400) },
      },
    },
    async (request, reply) => {
      await passwords.confirmReset(request.body.token, request.body.new_password);
      return reply.code(204).send(null);
    },
  );

  // --- two-factor authentication --------------------------------------------------------------------------

  app.get(
    '/auth/2fa',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Whether your two-factor authentication is on, and how many backup codes are left',
        response: { 200: TwoFactorStatusSchema, ...problems(401) },
      },
    },
    async (request) => {
      const status = await twoFactor.status(requireCaller(request).userId);
      return { ...status, totp_enabled_at: isoOrNull(status.totp_enabled_at) };
    },
  );

  app.post(
    '/auth/2fa/totp/enroll',
    {
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI, shown once',
        description: 'Confirm with POST /v1/auth/2fa/totp/confirm. Enrolling again before confirming replaces it.',
        response: { 200: TotpEnrollmentSchema, ...problems(401, 409) },
      },
    },
    (request) => twoFactor.enroll(requireCaller(request).userId),
  );

  app.post(
    '/auth/2fa/totp/confirm',
    {
      config: { rateLimitPolicy: 'secondFactor' },
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Turn TOTP on with a current code; answers 10 single-use backup codes, shown once',
        body: TotpCodeBodySchema,
        response: { 200: BackupCodesSchema, ...problems(400, 401, 409, 429) },
      },
    },
    (request) => twoFactor.confirm(requireCaller(request).userId, request.body.code),
  );

  app.post(
    '/auth/2fa/totp/disable',
    {
      config: { rateLimitPolicy: 'secondFactor' },
      onRequest: signedIn,
      schema: {
        tags,
        security,
        summary: 'Turn TOTP off (needs your password and a current code or a backup code)',
        description: LOCKOUT,
        body: TotpDisableBodySchema,
        response: { 204: NoContent, ...problems(400, 401, 403, 409, 429) },
      },
    },
    async (request, reply) => {
      await withRetryAfter(reply, () =>
        twoFactor.disable(requireCaller(request).userId, request.body, clientOf(request)),
      );
      return reply.code(204).send(null);
    },
  );
}
