import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SecretBox } from '../../platform/crypto/index.ts';
import { identityFromClaims, OidcProviders } from './federation.client.ts';
import { usernameBase } from './federation.service.ts';
import { openLoginState, openRegistration, readCookie, sealLoginState, type LoginState } from './federation.state.ts';

const box = new SecretBox([{ id: 'k1', key: randomBytes(32) }]);
const state: LoginState = {
  provider: 'acme',
  state: 'state-value',
  nonce: 'nonce-value',
  codeVerifier: 'verifier-value',
  redirectUri: 'https://veza.example/cb',
  link: null,
};

describe('sealed login state', () => {
  test('opens back, hides its content, and is refused when altered, expired or sealed for another purpose', (t) => {
    const sealed = sealLoginState(box, state);
    assert.match(sealed, /^[A-Za-z0-9_-]+$/, 'cookie-safe');
    const clear = Buffer.from(sealed, 'base64url').toString();
    for (const value of ['state-value', 'nonce-value', 'verifier-value']) assert.ok(!clear.includes(value));
    assert.deepEqual(openLoginState(box, sealed), state);
    assert.equal(openLoginState(box, `${sealed.slice(0, -2)}AA`), null);
    assert.equal(openLoginState(new SecretBox([{ id: 'k1', key: randomBytes(32) }]), sealed), null);
    assert.equal(openRegistration(box, sealed), null, 'a login state is not a registration token');
    assert.equal(openLoginState(box, 'not base64 !'), null);
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 601_000 });
    assert.equal(openLoginState(box, sealed), null, 'expired after 10 minutes');
  });

  test('readCookie finds one cookie among others', () => {
    assert.equal(readCookie('a=1; __Host-veza_oidc_state=xyz; b=2', '__Host-veza_oidc_state'), 'xyz');
    assert.equal(readCookie('a=1', '__Host-veza_oidc_state'), undefined);
    assert.equal(readCookie(undefined, 'a'), undefined);
  });
});

describe('what is kept of the provider’s claims', () => {
  test('technical claims and anything named like a credential are dropped; email lower-cased; verified only if true', () => {
    const identity = identityFromClaims({
      sub: 'abc',
      iss: 'https://id.example',
      aud: 'veza',
      nonce: 'n',
      at_hash: 'h',
      exp: 1,
      email: 'Ada@Example.TEST',
      email_verified: 'true',
      name: 'Ada',
      picture: 'javascript:alert(1)',
      locale: 'fr',
      id_token: 'x',
      client_secret: 'y',
    });
    assert.equal(identity.subject, 'abc');
    assert.equal(identity.email, 'ada@example.test');
    assert.equal(identity.emailVerified, false, 'only a boolean true counts');
    assert.equal(identity.avatarUrl, null);
    assert.deepEqual(Object.keys(identity.profile).sort(), ['email', 'email_verified', 'locale', 'name', 'picture']);
    assert.throws(() => identityFromClaims({ sub: '' }), /subject/);
  });

  test('usernames are derived to fit chk_users_username_format', () => {
    const base = (username: string | null, email: string | null = null, displayName: string | null = null) =>
      usernameBase({ username, email, displayName });
    assert.equal(base('nina'), 'nina');
    assert.equal(base('José.García-López'), 'Jose_Garcia_Lopez');
    assert.equal(base('a-very-long-preferred-username-indeed'), 'a_very_long_preferred_us');
    assert.equal(base('日本', 'kenji@example.test'), 'kenji');
    assert.equal(base(null, 'jo@example.test'), 'jo_user');
    assert.equal(base(null, null, null), 'user');
    for (const name of ['nina', 'Jose_Garcia_Lopez', 'jo_user', 'user']) assert.match(name, /^[a-zA-Z0-9_]{3,30}$/);
  });
});

describe('providers', () => {
  test('an unknown provider is a 404; one that cannot be reached is a 502, tried again on the next call', async () => {
    const providers = new OidcProviders({
      down: { issuer: 'http://127.0.0.1:1', clientId: 'veza', clientSecret: 'secret', scopes: 'openid' },
    });
    const request = { redirectUri: 'http://127.0.0.1/cb', state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43) };
    await assert.rejects(providers.authorizationUrl('nowhere', request), {
      status: 404,
      code: 'OIDC_PROVIDER_UNKNOWN',
    });
    for (let attempt = 0; attempt < 2; attempt += 1)
      await assert.rejects(providers.authorizationUrl('down', request), {
        status: 502,
        code: 'OIDC_PROVIDER_UNAVAILABLE',
      });
  });
});
