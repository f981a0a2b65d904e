import * as oidc from 'openid-client';
import type { OidcProviderConfig } from '../../platform/config/config.ts';
import { ApiError } from '../../platform/http/problem.ts';
import { FederationProblems } from './federation.errors.ts';

/** Who the provider says the person is: the verified ID token's claims, completed by the UserInfo endpoint. */
export interface ProviderIdentity {
  /** `sub`: stable and unique at this provider (federated_identities.provider_user_id). */
  subject: string;
  email: string | null;
  /** Only the provider's explicit `email_verified: true` counts. */
  emailVerified: boolean;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  /** The profile claims, without tokens nor the ID token's technical claims (nonce, hashes, times). */
  profile: Record<string, unknown>;
}

/** The provider's own tokens: secrets, only ever stored encrypted. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Claims of an ID token that describe the token, not the person: not kept in provider_profile_data. */
const TECHNICAL_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'azp',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'auth_time',
  'acr',
  'amr',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  '_claim_names',
  '_claim_sources',
]);
/** Anything named like a credential never reaches the profile column either. */
const CREDENTIAL_NAME = /(token|secret|password|credential)s?$/i;

const DISCOVERY_TIMEOUT_SECONDS = 10;

function text(value: unknown, maxLength: number): string | null {
  return typeof value === 'string' && value.trim() !== '' && value.length <= maxLength ? value.trim() : null;
}

function httpUrl(value: unknown): string | null {
  const candidate = text(value, 2048);
  if (!candidate) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Keeps the claims that describe the person: strings, numbers, booleans and plain objects of them. */
function profileOf(claims: Record<string, unknown>): Record<string, unknown> {
  const profile: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (TECHNICAL_CLAIMS.has(name) || CREDENTIAL_NAME.test(name) || value === undefined) continue;
    profile[name] = value;
  }
  return profile;
}

export function identityFromClaims(claims: Record<string, unknown>): ProviderIdentity {
  const subject = text(claims.sub, 255);
  if (!subject) throw new ApiError(FederationProblems.responseInvalid, 'The ID token has no usable subject (sub)');
  const email = text(claims.email, 255)?.toLowerCase() ?? null;
  return {
    subject,
    email,
    emailVerified: email !== null && claims.email_verified === true,
    username: text(claims.preferred_username, 255) ?? text(claims.nickname, 255),
    displayName: text(claims.name, 255),
    avatarUrl: httpUrl(claims.picture),
    profile: profileOf(claims),
  };
}

/** openid-client's codes for an answer that failed validation (as opposed to a provider that failed to answer). */
const VALIDATION_FAILURES = new Set([
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_PARSE_ERROR',
]);

/** Maps what openid-client throws to problems: the caller's or the provider's fault, never a 500. */
function problemOf(error: unknown): ApiError {
  if (error instanceof oidc.AuthorizationResponseError) {
    // The provider's error code is a fixed vocabulary (access_denied, login_required…); its description is not echoed.
    const code = /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'error';
    return new ApiError(FederationProblems.authorizationDenied, `The identity provider answered ${code}`);
  }
  if (error instanceof oidc.ResponseBodyError) {
    if (error.status >= 500) return new ApiError(FederationProblems.providerUnavailable);
    return new ApiError(FederationProblems.codeRejected);
  }
  if (error instanceof oidc.ClientError && error.code !== undefined && VALIDATION_FAILURES.has(error.code)) {
    return new ApiError(FederationProblems.responseInvalid);
  }
  // fetch failures (TypeError), timeouts, anything else on the wire: the provider is the problem.
  return new ApiError(FederationProblems.providerUnavailable);
}

/**
 * The configured OpenID Connect providers, through openid-client: discovery (cached, retried after a failure),
 * authorization URLs with state, nonce and PKCE (S256), and the code exchange with ID token validation.
 */
export class OidcProviders {
  readonly #settings: Record<string, OidcProviderConfig>;
  readonly #configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(settings: Record<string, OidcProviderConfig>) {
    this.#settings = settings;
  }

  has(provider: string): boolean {
    return Object.hasOwn(this.#settings, provider);
  }

  #configuration(provider: string): Promise<oidc.Configuration> {
    const settings = this.#settings[provider];
    if (!settings || !this.has(provider)) throw new ApiError(FederationProblems.unknownProvider);
    let configuration = this.#configurations.get(provider);
    if (!configuration) {
      const issuer = new URL(settings.issuer);
      configuration = oidc
        .discovery(
          issuer,
          settings.clientId,
          undefined,
          oidc.ClientSecretBasic(settings.clientSecret),
          // http issuers are refused by config.ts except on loopback (development and tests).
          {
            timeout: DISCOVERY_TIMEOUT_SECONDS,
            ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
          },
        )
        .catch((error: unknown) => {
          this.#configurations.delete(provider);
          throw problemOf(error);
        });
      this.#configurations.set(provider, configuration);
    }
    return configuration;
  }

  async authorizationUrl(provider: string, request: AuthorizationRequest): Promise<URL> {
    const configuration = await this.#configuration(provider);
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: request.redirectUri,
      scope: this.#settings[provider]?.scopes ?? 'openid',
      response_type: 'code',
      state: request.state,
      nonce: request.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Exchanges the code of `callbackUrl` (the redirect_uri plus the parameters the provider sent back) with the
   * PKCE verifier, validates the ID token (signature, issuer, audience, expiry, nonce) and reads UserInfo.
   */
  async exchange(
    provider: string,
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<{ identity: ProviderIdentity; tokens: ProviderTokens }> {
    const configuration = await this.#configuration(provider);
    try {
      const response = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: expected.codeVerifier,
        expectedState: expected.state,
        expectedNonce: expected.nonce,
        idTokenExpected: true,
      });
      const idClaims = response.claims();
      if (!idClaims) throw new ApiError(FederationProblems.responseInvalid, 'The provider returned no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      if (configuration.serverMetadata().userinfo_endpoint) {
        // The subject check makes UserInfo describe the same person as the ID token.
        const userInfo = await oidc.fetchUserInfo(configuration, response.access_token, idClaims.sub);
        claims = { ...userInfo, ...idClaims };
      }
      const expiresIn = response.expiresIn();
      return {
        identity: identityFromClaims(claims),
        tokens: {
          accessToken: response.access_token,
          refreshToken: response.refresh_token ?? null,
          expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
        },
      };
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw problemOf(error);
    }
  }
}
