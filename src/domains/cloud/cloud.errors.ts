// Error catalogue of the cloud domain (issue 17 §9-13, ADR 0085): accounts, connection tests and backups. Stable
// codes, rendered as RFC 9457 problem details. Remote failures are 4xx: the request was fine, the user's server
// (or their credentials) was not, and nothing on our side needs fixing.
import { problemType } from '../../platform/http/problem.ts';

export const CloudProblems = {
  /** No such account, or someone else's: the owner alone knows an account exists. */
  accountNotFound: problemType('CLOUD_ACCOUNT_NOT_FOUND', 404, 'No such cloud account'),
  /** No such backup, or one of someone else's account. */
  backupNotFound: problemType('CLOUD_BACKUP_NOT_FOUND', 404, 'No such backup'),
  /** uq_cloud_accounts_user_provider_server_username: this server and user name are connected already. */
  accountExists: problemType('CLOUD_ACCOUNT_EXISTS', 409, 'This account is connected already'),
  /** Credentials in the URL, not http(s), a query, or a host that does not resolve. */
  urlInvalid: problemType('CLOUD_URL_INVALID', 422, 'This server URL cannot be used'),
  /** The URL leads to loopback, private or link-local addresses, or to this service (SSRF rule, ADR 0085). */
  urlForbidden: problemType('CLOUD_URL_FORBIDDEN', 422, 'This server URL points into a private network'),
  /** A path, schedule or time zone that no schema can judge. */
  invalid: problemType('CLOUD_VALUE_INVALID', 422, 'A value breaks a rule of cloud backups'),
  /** The server answered 401/403: the account is marked reauth_required. */
  credentialsRejected: problemType('CLOUD_CREDENTIALS_REJECTED', 422, 'The server refused these credentials'),
  /** Refused, timed out, or a 5xx: the account is marked error. */
  serverUnreachable: problemType('CLOUD_SERVER_UNREACHABLE', 424, 'The server cannot be reached'),
  /** 507 Insufficient Storage. */
  storageFull: problemType('CLOUD_STORAGE_FULL', 424, 'The server has no space left'),
  /** Another run of this backup is under way. */
  backupRunning: problemType('CLOUD_BACKUP_RUNNING', 409, 'This backup is running already'),
  /** The account must pass a connection test first (pending, reauth_required or disabled). */
  accountNotReady: problemType('CLOUD_ACCOUNT_NOT_READY', 409, 'Test the connection of this account first'),
} as const;
