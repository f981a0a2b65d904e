import { problemType } from '../../platform/http/problem.ts';

/**
 * The auth domain's error catalogue: stable codes, documented in the OpenAPI reference of each route.
 * Answers about credentials never say which part was wrong, nor whether the account exists (ADR 0022).
 */
export const AuthErrors = {
  emailTaken: problemType('EMAIL_TAKEN', 409, 'This email address is already registered'),
  usernameTaken: problemType('USERNAME_TAKEN', 409, 'This username is already taken'),
  weakPassword: problemType('WEAK_PASSWORD', 400, 'The password does not satisfy the password policy'),
  passwordReused: problemType('PASSWORD_REUSED', 400, 'The password was used recently'),
  invalidCredentials: problemType('INVALID_CREDENTIALS', 401, 'The identifier or the password is wrong'),
  loginLocked: problemType('LOGIN_LOCKED', 429, 'Too many failed attempts; try again later'),
  accountDisabled: problemType('ACCOUNT_DISABLED', 403, 'This account is disabled'),
  invalidRefreshToken: problemType('INVALID_REFRESH_TOKEN', 401, 'The refresh token is invalid, expired or revoked'),
  invalidMfaChallenge: problemType('INVALID_MFA_CHALLENGE', 401, 'The second-factor challenge is invalid or expired'),
  invalidToken: problemType('INVALID_TOKEN', 400, 'The link is invalid, expired or already used'),
  currentPasswordIncorrect: problemType('CURRENT_PASSWORD_INCORRECT', 403, 'The current password is wrong'),
  noPassword: problemType('NO_PASSWORD', 409, 'This account has no password yet; set one through a password reset'),
  emailAlreadyVerified: problemType('EMAIL_ALREADY_VERIFIED', 409, 'The email address is already verified'),
  totpAlreadyEnabled: problemType('TOTP_ALREADY_ENABLED', 409, 'Two-factor authentication is already enabled'),
  totpNotEnrolled: problemType('TOTP_NOT_ENROLLED', 409, 'Start the enrolment first'),
  totpNotEnabled: problemType('TOTP_NOT_ENABLED', 409, 'Two-factor authentication is not enabled'),
  invalidTotpCode: problemType('INVALID_TOTP_CODE', 400, 'The code is wrong or expired'),
  secondFactorIncorrect: problemType('SECOND_FACTOR_INCORRECT', 403, 'The password or the code is wrong'),
  sessionNotFound: problemType('SESSION_NOT_FOUND', 404, 'No such session'),
  usernameChangeTooSoon: problemType('USERNAME_CHANGE_TOO_SOON', 409, 'The username was changed too recently'),
  emailUnchanged: problemType('EMAIL_UNCHANGED', 409, 'This is already the account’s address'),
  reauthenticationRequired: problemType('REAUTHENTICATION_REQUIRED', 403, 'Log in again before doing this'),
} as const;
