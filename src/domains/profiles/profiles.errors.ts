// Error catalogue of the profiles domain: stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const ProfilesProblems = {
  /** No such user, or one the caller may not know exists (private profile, deleted or banned account). */
  userNotFound: problemType('USER_NOT_FOUND', 404, 'No such user'),
  badgeNotFound: problemType('BADGE_NOT_FOUND', 404, 'No such badge'),
  /** A badge of a PUT /v1/me/badges set is unknown, or retired and not already held. */
  unknownBadge: problemType('UNKNOWN_BADGE', 400, 'A badge of the set does not exist or is retired'),
  roleNotDeclared: problemType('ROLE_NOT_DECLARED', 404, 'The user has not declared this role'),
  tooManyRoles: problemType('TOO_MANY_ROLES', 409, 'The user has declared the maximum number of roles'),
  selfVerification: problemType('SELF_VERIFICATION', 403, 'Staff may not verify their own roles'),
  lastAdmin: problemType('LAST_ADMIN', 409, 'The platform would be left without an administrator'),
  /**
   * Data-processing consent is the legal basis of the account (spec §19.1): it is withdrawn by deleting the
   * account (DELETE /v1/me), which stops all processing, not by flipping the flag on a live account.
   */
  consentRequired: problemType(
    'CONSENT_REQUIRED_FOR_SERVICE',
    409,
    'Data-processing consent is withdrawn by deleting the account',
  ),
  passwordIncorrect: problemType('PASSWORD_INCORRECT', 403, 'The password does not match'),
  reauthenticationRequired: problemType('REAUTHENTICATION_REQUIRED', 403, 'Log in again before doing this'),
  exportNotReady: problemType('EXPORT_NOT_READY', 404, 'No export archive is ready for download'),
} as const;
