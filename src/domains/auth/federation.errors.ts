import { problemType } from '../../platform/http/problem.ts';

/** Error catalogue of federated login (OpenID Connect) and account linking (ADR 0025). */
export const FederationProblems = {
  unknownProvider: problemType('OIDC_PROVIDER_UNKNOWN', 404, 'No such identity provider'),
  redirectUriNotAllowed: problemType(
    'OIDC_REDIRECT_URI_NOT_ALLOWED',
    400,
    'The redirect_uri is not one this service may send a login back to',
  ),
  invalidState: problemType(
    'OIDC_STATE_INVALID',
    400,
    'The login attempt is unknown, expired, already used or was tampered with; start again',
  ),
  authorizationDenied: problemType(
    'OIDC_AUTHORIZATION_DENIED',
    400,
    'The identity provider did not authorise the login',
  ),
  codeRejected: problemType(
    'OIDC_CODE_REJECTED',
    400,
    'The identity provider refused the authorization code: expired, already used or issued for another login',
  ),
  responseInvalid: problemType(
    'OIDC_RESPONSE_INVALID',
    400,
    'The identity provider’s answer failed validation (ID token, nonce, issuer or state)',
  ),
  providerUnavailable: problemType('OIDC_PROVIDER_UNAVAILABLE', 502, 'The identity provider could not be reached'),
  emailRequired: problemType(
    'OIDC_EMAIL_REQUIRED',
    400,
    'The identity provider did not share a usable email address; allow access to it and try again',
  ),
  accountExists: problemType(
    'OIDC_ACCOUNT_EXISTS',
    409,
    'An account already uses this email: log in to it and link this provider from your account',
  ),
  identityInUse: problemType('OIDC_IDENTITY_IN_USE', 409, 'This provider identity is linked to another account'),
  registrationTokenInvalid: problemType(
    'OIDC_REGISTRATION_TOKEN_INVALID',
    400,
    'The registration token is invalid or expired; log in with the provider again',
  ),
  accountUnavailable: problemType('OIDC_ACCOUNT_UNAVAILABLE', 403, 'This account is disabled, banned or deleted'),
  lastLoginMethod: problemType(
    'LAST_LOGIN_METHOD',
    409,
    'This is the account’s last way to log in: set a password or link another provider first',
  ),
} as const;
