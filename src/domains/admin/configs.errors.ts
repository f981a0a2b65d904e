// Error catalogue of system settings, feature flags and the admin views (issue 18 §13-15; ADR 0096). Stable codes,
// rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const PlatformAdminProblems = {
  /** The key is not in the registry (configs.registry.ts): there is no such setting to read or change. */
  configKeyUnknown: problemType('CONFIG_KEY_UNKNOWN', 404, 'There is no such setting'),
  /** The value breaks the key's JSON schema; `errors` names the key and the rule. */
  configValueInvalid: problemType('CONFIG_VALUE_INVALID', 400, 'This value does not fit the setting'),
  featureFlagNotFound: problemType('FEATURE_FLAG_NOT_FOUND', 404, 'There is no such feature flag'),
  /** auth.registration_open is false. */
  registrationClosed: problemType('REGISTRATION_CLOSED', 403, 'Registration of new accounts is closed for now'),
} as const;
