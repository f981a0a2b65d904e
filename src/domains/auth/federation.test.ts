import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { SecretBox } from '../../platform/crypto/index.ts';
import { useTestApp } from '../../../test/helpers/app.ts';
import { independentTotp } from './auth.test-support.ts';
import { authorizeAtProvider, startTestProvider, type TestProvider } from './federation.test-provider.ts';

// The provider sends the browser back to the web front end, which forwards the query to the callback route.
const REDIRECT_URI = 'http://127.0.0.1:5173/auth/oidc/callback';
const COOKIE = '__Host-veza_oidc_state';
const ENCRYPTION_KEY = randomBytes(32);
const box = new SecretBox([{ id: 'test1', key: ENCRYPTION_KEY }]);

let acme: TestProvider;
let globex: TestProvider;

// Two real OpenID Connect providers on loopback, started before the app that is configured to use them.
const testApp = useTestApp({
  env: async () => {
    const accounts = {
      newcomer: {
        email: 'newcomer@example.test',
        email_verified: true,
        name: 'Nina Newcomer',
        preferred_username: 'nina',
      },
      twin: { email: 'twin@example.test', email_verified: true, preferred_username: 'twin' },
      unverified: { email: 'unverified@example.test', email_verified: false, preferred_username: 'unverified' },
      mailless: { preferred_username: 'mailless' },
    };
    acme = await startTestProvider({ redirectUris: [REDIRECT_URI], accounts });
    globex = await startTestProvider({ redirectUris: [REDIRECT_URI], accounts });
    const provider = (p: TestProvider) => ({ issuer: p.issuer, client_id: p.clientId, client_secret: p.clientSecret });
    return {
      VEZA_OIDC_PROVIDERS: JSON.stringify({ acme: provider(acme), globex: provider(globex) }),
      VEZA_OIDC_REDIRECT_URIS: `${REDIRECT_URI},https://veza.example/other`,
      VEZA_ENCRYPTION_KEYS: JSON.stringify({ test1: ENCRYPTION_KEY.toString('base64') }),
    };
  },
});

after(async () => {
  await acme?.close();
  await globex?.close();
});

const app = {
  get inject() {
    const { app } = testApp.current;
    return app.inject.bind(app);
  },
};
const database = {
  get sql() {
    return testApp.current.database.sql;
  },
};

// ------------------------------------------------------------------------------------------- helpers

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function stateCookieOf(response: { headers: Record<string, unknown> }): string {
  const raw = response.headers['set-cookie'];
  const header = [raw].flat().find((value) => typeof value === 'string' && value.startsWith(`${COOKIE}=`));
  assert.ok(typeof header === 'string', 'the state cookie is set');
  return header.split(';')[0]!.slice(COOKIE.length + 1);
}

interface Flow {
  /** The provider's authorization URL our start route redirected to. */
  authorizationUrl: string;
  cookie: string;
}

async function startLogin(provider: string): Promise<Flow> {
  const response = await app.inject({
    method: 'GET',
    url: `/v1/auth/oidc/${provider}/start?redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
  });
  assert.equal(response.statusCode, 302, response.body);
  return { authorizationUrl: String(response.headers.location), cookie: stateCookieOf(response) };
}

async function startLink(provider: string, token: string): Promise<Flow> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/auth/oidc/${provider}/link/start`,
    headers: bearer(token),
    payload: { redirect_uri: REDIRECT_URI },
  });
  assert.equal(response.statusCode, 200, response.body);
  return { authorizationUrl: response.json().authorization_url, cookie: stateCookieOf(response) };
}

/** The person signs in at the provider and consents; the provider sends the browser back with code and state. */
function atProvider(flow: Flow, login: string, tamper?: (url: URL) => void): Promise<URL> {
  const url = new URL(flow.authorizationUrl);
  tamper?.(url);
  return authorizeAtProvider(url.href, { login, redirectPrefix: REDIRECT_URI });
}

function callback(provider: string, returned: URL, cookie: string | undefined, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'GET',
    url: `/v1/auth/oidc/${provider}/callback${returned.search}`,
    headers: { ...headers, ...(cookie === undefined ? {} : { cookie: `${COOKIE}=${cookie}` }) },
  });
}

async function loginThrough(provider: string, login: string) {
  const flow = await startLogin(provider);
  return callback(provider, await atProvider(flow, login), flow.cookie);
}

async function passwordAccount(email: string) {
  const suffix = randomBytes(4).toString('hex');
  const [user] = await database.sql`
    INSERT INTO users (email, username, password_hash, email_verified_at, data_processing_consent, data_processing_consent_at)
    VALUES (${email}, ${`member_${suffix}`}, '$2b$12$abcdefghijklmnopqrstuuJ0mZ1r3M3n0vYy0a8l7cY8u6N5gKq1e', NOW(), true, NOW())
    RETURNING id, token_version`;
  const { token } = await testApp.current.accessTokens.issue({
    userId: user!.id,
    tokenVersion: user!.token_version,
    role: 'user',
  });
  return { id: user!.id as string, token };
}

async function signUp(provider: string, login: string) {
  const response = await loginThrough(provider, login);
  assert.equal(response.statusCode, 200, response.body);
  const { registration_token } = response.json();
  const created = await app.inject({
    method: 'POST',
    url: '/v1/auth/oidc/complete-registration',
    payload: { registration_token, data_processing_consent: true },
  });
  assert.equal(created.statusCode, 201, created.body);
  return created.json<{ user_id: string; access_token: string; refresh_token: string }>();
}

const identitiesOf = async (token: string) => {
  const response = await app.inject({ method: 'GET', url: '/v1/me/identities', headers: bearer(token) });
  assert.equal(response.statusCode, 200, response.body);
  return response.json().items as Array<{ id: string; provider: string; is_primary: boolean }>;
};

const unlink = (token: string | undefined, id: string) =>
  app.inject({ method: 'DELETE', url: `/v1/me/identities/${id}`, headers: token ? bearer(token) : {} });

// --------------------------------------------------------------------------------------------- tests

describe('federated login: start', () => {
  test('redirects to the provider with PKCE (S256), state and nonce, and sets a sealed HttpOnly SameSite=Lax cookie', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/v1/auth/oidc/acme/start?redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    });
    assert.equal(response.statusCode, 302);
    const location = new URL(String(response.headers.location));
    assert.equal(location.origin, acme.issuer);
    assert.equal(location.searchParams.get('client_id'), acme.clientId);
    assert.equal(location.searchParams.get('redirect_uri'), REDIRECT_URI);
    assert.equal(location.searchParams.get('response_type'), 'code');
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    for (const parameter of ['state', 'nonce', 'code_challenge'])
      assert.ok((location.searchParams.get(parameter) ?? '').length >= 32, `${parameter} is random`);
    const setCookie = String(response.headers['set-cookie']);
    assert.match(
      setCookie,
      /^__Host-veza_oidc_state=[A-Za-z0-9_-]+; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/,
    );
    const sealed = stateCookieOf(response);
    for (const parameter of ['state', 'nonce'])
      assert.ok(!Buffer.from(sealed, 'base64url').toString().includes(location.searchParams.get(parameter)!), 'sealed');
  });

  test('an unknown provider is 404; a redirect_uri not on the allow-list is 400 naming the field', async () => {
    const unknown = await app.inject({
      method: 'GET',
      url: `/v1/auth/oidc/nowhere/start?redirect_uri=${encodeURIComponent(REDIRECT_URI)}`,
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'OIDC_PROVIDER_UNKNOWN');
    const unknownCallback = await app.inject({ method: 'GET', url: '/v1/auth/oidc/nowhere/callback?state=x&code=y' });
    assert.equal(unknownCallback.statusCode, 404);

    for (const redirect of ['https://evil.example/cb', `${REDIRECT_URI}/../steal`, `${REDIRECT_URI}?next=evil`]) {
      const response = await app.inject({
        method: 'GET',
        url: `/v1/auth/oidc/acme/start?redirect_uri=${encodeURIComponent(redirect)}`,
      });
      assert.equal(response.statusCode, 400, redirect);
      assert.equal(response.json().code, 'OIDC_REDIRECT_URI_NOT_ALLOWED');
      assert.deepEqual(response.json().errors[0].field, 'query.redirect_uri');
      assert.equal(response.headers['set-cookie'], undefined);
    }
    const missing = await app.inject({ method: 'GET', url: '/v1/auth/oidc/acme/start' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().errors[0].field, 'query.redirect_uri');

    const member = await passwordAccount(`allow_${randomBytes(4).toString('hex')}@example.test`);
    const link = await app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/acme/link/start',
      headers: bearer(member.token),
      payload: { redirect_uri: 'https://evil.example/cb' },
    });
    assert.equal(link.statusCode, 400);
    assert.equal(link.json().errors[0].field, 'body.redirect_uri');
  });
});

describe('federated login: sign up, log in again', () => {
  test('a new person signs up through the provider after consent, then logs in again with the same identity', async () => {
    const flow = await startLogin('acme');
    const returned = await atProvider(flow, 'newcomer');
    assert.ok(returned.searchParams.get('code'));
    const response = await callback('acme', returned, flow.cookie);
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['set-cookie']), /^__Host-veza_oidc_state=; Path=\/; Max-Age=0/);
    const result = response.json();
    assert.equal(result.outcome, 'registration_required');
    assert.equal(result.email, 'newcomer@example.test');
    assert.equal(result.email_verified, true);
    assert.equal(result.suggested_username, 'nina');
    assert.equal(result.provider, 'acme');
    const [before] = await database.sql`SELECT count(*)::int AS n FROM users WHERE email = 'newcomer@example.test'`;
    assert.equal(before!.n, 0, 'no account before consent');

    // Consent is explicit: missing or false is a 400 naming the field, and nothing is created.
    for (const payload of [
      { registration_token: result.registration_token },
      { registration_token: result.registration_token, data_processing_consent: false },
    ]) {
      const refused = await app.inject({ method: 'POST', url: '/v1/auth/oidc/complete-registration', payload });
      assert.equal(refused.statusCode, 400);
      assert.ok(refused.json().errors.some((e: { field: string }) => e.field === 'body.data_processing_consent'));
    }
    const forged = await app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/complete-registration',
      payload: { registration_token: `${result.registration_token.slice(0, -4)}AAAA`, data_processing_consent: true },
    });
    assert.equal(forged.statusCode, 400);
    assert.equal(forged.json().code, 'OIDC_REGISTRATION_TOKEN_INVALID');

    const created = await app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/complete-registration',
      payload: {
        registration_token: result.registration_token,
        data_processing_consent: true,
        marketing_consent: false,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const session = created.json();
    assert.equal(session.token_type, 'Bearer');
    assert.ok(session.access_token && session.refresh_token);

    const [user] = await database.sql`
      SELECT id, username, password_hash, email_verified_at, data_processing_consent, data_processing_consent_at,
             marketing_consent, marketing_consent_at, login_count, display_name
      FROM users WHERE email = 'newcomer@example.test'`;
    assert.equal(user!.id, session.user_id);
    assert.equal(user!.username, 'nina');
    assert.equal(user!.password_hash, null);
    assert.ok(user!.email_verified_at, 'the provider verified the email');
    assert.equal(user!.data_processing_consent, true);
    assert.ok(user!.data_processing_consent_at);
    assert.equal(user!.marketing_consent, false);
    assert.equal(user!.marketing_consent_at, null);
    assert.equal(user!.display_name, 'Nina Newcomer');
    const [rows] = await database.sql`
      SELECT (SELECT count(*)::int FROM user_profiles WHERE user_id = ${user!.id}) AS profiles,
             (SELECT count(*)::int FROM user_settings WHERE user_id = ${user!.id}) AS settings`;
    assert.deepEqual({ ...rows }, { profiles: 1, settings: 1 });

    const identities = await identitiesOf(session.access_token);
    assert.equal(identities.length, 1);
    assert.equal(identities[0]!.provider, 'acme');
    assert.equal(identities[0]!.is_primary, true);
    assert.deepEqual(Object.keys(identities[0]!).sort(), [
      'created_at',
      'id',
      'is_primary',
      'provider',
      'provider_avatar_url',
      'provider_email',
      'provider_username',
      'updated_at',
    ]);

    // The registration token works once.
    const again = await app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/complete-registration',
      payload: { registration_token: result.registration_token, data_processing_consent: true },
    });
    assert.equal(again.statusCode, 409);

    const relogin = await loginThrough('acme', 'newcomer');
    assert.equal(relogin.statusCode, 200, relogin.body);
    assert.equal(relogin.json().outcome, 'logged_in');
    assert.equal(relogin.json().user_id, session.user_id);
    const me = await identitiesOf(relogin.json().access_token);
    assert.equal(me.length, 1);
    const [counted] = await database.sql`SELECT login_count FROM users WHERE id = ${session.user_id}`;
    assert.equal(counted!.login_count, 2);
  });

  test('provider tokens are stored encrypted: the row, and its audit trail, hold neither in clear', async () => {
    globex.accounts.set('vault', { email: 'vault@example.test', email_verified: true, name: 'Val Vault' });
    const { user_id } = await signUp('globex', 'vault');
    const issued = globex.issuedTokens.at(-1);
    assert.ok(issued?.access_token && issued.refresh_token && issued.id_token);
    const [row] = await database.sql`
      SELECT to_jsonb(f)::text AS text, access_token, refresh_token, provider_profile_data
      FROM federated_identities f WHERE user_id = ${user_id} AND provider = 'globex'`;
    for (const secret of [issued.access_token, issued.refresh_token, issued.id_token])
      assert.ok(!row!.text.includes(secret), 'a provider token in clear in federated_identities');
    assert.match(row!.access_token, /^v1:test1:/);
    assert.match(row!.refresh_token, /^v1:test1:/);
    assert.equal(row!.provider_profile_data.email, 'vault@example.test');
    assert.equal(row!.provider_profile_data.nonce, undefined);
    const [audit] = await database.sql`SELECT coalesce(string_agg(new_data::text, ' '), '') AS text FROM audit_logs`;
    for (const secret of [issued.access_token, issued.refresh_token])
      assert.ok(!audit!.text.includes(secret), 'a provider token in the audit trail');
  });

  test('an email already used by an account is never linked silently: 409, log in and link instead', async () => {
    const owner = await passwordAccount('twin@example.test');
    for (const provider of ['acme', 'globex']) {
      const response = await loginThrough(provider, 'twin');
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().code, 'OIDC_ACCOUNT_EXISTS');
    }
    const [row] = await database.sql`SELECT count(*)::int AS n FROM federated_identities WHERE user_id = ${owner.id}`;
    assert.equal(row!.n, 0);
    // The owner links it explicitly, after which the provider logs them in.
    const flow = await startLink('acme', owner.token);
    const linked = await callback('acme', await atProvider(flow, 'twin'), flow.cookie);
    assert.equal(linked.json().outcome, 'linked');
    const login = await loginThrough('acme', 'twin');
    assert.equal(login.json().outcome, 'logged_in');
    assert.equal(login.json().user_id, owner.id);
  });

  test('an account with two-factor authentication on still has to give its second factor', async () => {
    acme.accounts.set('careful', { email: 'careful@example.test', email_verified: true });
    const { user_id } = await signUp('acme', 'careful');
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await database.sql`
      INSERT INTO two_factor_configs (user_id, totp_secret, totp_enabled, totp_enabled_at)
      VALUES (${user_id}, ${box.seal(secret, 'two_factor_configs.totp_secret')}, true, NOW())`;
    const response = await loginThrough('acme', 'careful');
    assert.equal(response.statusCode, 200, response.body);
    const result = response.json();
    assert.equal(result.outcome, 'mfa_required');
    assert.equal(result.access_token, undefined, 'no session before the second factor');
    const mfa = await app.inject({
      method: 'POST',
      url: '/v1/auth/login/mfa',
      payload: { mfa_token: result.mfa_token, code: independentTotp(secret) },
    });
    assert.equal(mfa.statusCode, 200, mfa.body);
    assert.ok(mfa.json().access_token);
    const attempts = await database.sql`
      SELECT success, failure_reason FROM login_attempts WHERE identifier = 'careful@example.test'
      ORDER BY attempted_at LIMIT 2`;
    assert.deepEqual(
      attempts.map((row) => [row.success, row.failure_reason]),
      [
        [true, null],
        [false, 'mfa_required'],
      ],
      'the sign-up, then the federated login waiting for its second factor',
    );
  });

  test('a provider that shares no email cannot make an account (400)', async () => {
    const response = await loginThrough('acme', 'mailless');
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'OIDC_EMAIL_REQUIRED');
  });

  test('an unverified provider email makes an account whose email is not verified', async () => {
    const { user_id } = await signUp('acme', 'unverified');
    const [user] = await database.sql`SELECT email, email_verified_at FROM users WHERE id = ${user_id}`;
    assert.equal(user!.email, 'unverified@example.test');
    assert.equal(user!.email_verified_at, null);
  });
});

describe('linking and unlinking', () => {
  test('a password account links a second identity, logs in with it, and may unlink it (it has a password)', async () => {
    const member = await passwordAccount(`member_${randomBytes(4).toString('hex')}@example.test`);
    globex.accounts.set('member-at-globex', { email: 'someone-else@example.test', email_verified: true });
    const flow = await startLink('globex', member.token);
    const response = await callback('globex', await atProvider(flow, 'member-at-globex'), flow.cookie);
    assert.equal(response.statusCode, 200, response.body);
    const { outcome, identity } = response.json();
    assert.equal(outcome, 'linked');
    assert.equal(identity.provider, 'globex');
    assert.equal(identity.provider_email, 'someone-else@example.test');
    assert.equal(identity.is_primary, false);
    assert.deepEqual(
      (await identitiesOf(member.token)).map((item) => item.id),
      [identity.id],
    );

    const login = await loginThrough('globex', 'member-at-globex');
    assert.equal(login.json().outcome, 'logged_in');
    assert.equal(login.json().user_id, member.id);

    assert.equal((await unlink(member.token, identity.id)).statusCode, 204);
    assert.deepEqual(await identitiesOf(member.token), []);
    // Unlinked: the identity is a stranger again, its email unknown: it may sign up.
    assert.equal((await loginThrough('globex', 'member-at-globex')).json().outcome, 'registration_required');
  });

  test('the last way to log in cannot be unlinked (409); with a second identity, one of them can', async () => {
    acme.accounts.set('solo', { email: 'solo@example.test', email_verified: true });
    globex.accounts.set('solo-too', { email: 'solo-elsewhere@example.test', email_verified: true });
    const { access_token } = await signUp('acme', 'solo');
    const [only] = await identitiesOf(access_token);
    const refused = await unlink(access_token, only!.id);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'LAST_LOGIN_METHOD');

    const flow = await startLink('globex', access_token);
    assert.equal((await callback('globex', await atProvider(flow, 'solo-too'), flow.cookie)).json().outcome, 'linked');
    const both = await identitiesOf(access_token);
    assert.equal(both.length, 2);
    assert.equal((await unlink(access_token, only!.id)).statusCode, 204);
    const [last] = await identitiesOf(access_token);
    assert.equal(last!.provider, 'globex');
    assert.equal((await unlink(access_token, last!.id)).statusCode, 409);
  });

  test('an identity linked to one account cannot be linked to another (409)', async () => {
    acme.accounts.set('taken', { email: 'taken@example.test', email_verified: true });
    await signUp('acme', 'taken');
    const other = await passwordAccount(`other_${randomBytes(4).toString('hex')}@example.test`);
    const flow = await startLink('acme', other.token);
    const response = await callback('acme', await atProvider(flow, 'taken'), flow.cookie);
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'OIDC_IDENTITY_IN_USE');
    assert.deepEqual(await identitiesOf(other.token), []);
  });

  test('logging out everywhere while a link is in progress cancels it', async () => {
    globex.accounts.set('late', { email: 'late@example.test', email_verified: true });
    const member = await passwordAccount(`late_${randomBytes(4).toString('hex')}@example.test`);
    const flow = await startLink('globex', member.token);
    const returned = await atProvider(flow, 'late');
    await database.sql`UPDATE users SET token_version = token_version + 1 WHERE id = ${member.id}`;
    const response = await callback('globex', returned, flow.cookie);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'OIDC_STATE_INVALID');
  });

  test('BOLA: another user can neither list nor unlink someone’s identities; anonymous callers get 401', async () => {
    acme.accounts.set('victim', { email: 'victim@example.test', email_verified: true });
    const victim = await signUp('acme', 'victim');
    const [victimIdentity] = await identitiesOf(victim.access_token);
    const intruder = await passwordAccount(`intruder_${randomBytes(4).toString('hex')}@example.test`);

    assert.deepEqual(await identitiesOf(intruder.token), [], 'the list is the caller’s own');
    const stolen = await unlink(intruder.token, victimIdentity!.id);
    assert.equal(stolen.statusCode, 404, 'someone else’s identity does not exist for the caller');
    assert.equal((await unlink(intruder.token, '00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await unlink(intruder.token, 'not-a-uuid')).statusCode, 400);
    assert.equal((await identitiesOf(victim.access_token)).length, 1, 'still linked');

    assert.equal((await app.inject({ method: 'GET', url: '/v1/me/identities' })).statusCode, 401);
    assert.equal((await unlink(undefined, victimIdentity!.id)).statusCode, 401);
    const anonymousLink = await app.inject({
      method: 'POST',
      url: '/v1/auth/oidc/acme/link/start',
      payload: { redirect_uri: REDIRECT_URI },
    });
    assert.equal(anonymousLink.statusCode, 401);
    assert.equal((await identitiesOf(victim.access_token)).length, 1);
  });

  test('a linking begun by one user cannot be finished by another', async () => {
    acme.accounts.set('hijack', { email: 'hijack@example.test', email_verified: true });
    const starter = await passwordAccount(`starter_${randomBytes(4).toString('hex')}@example.test`);
    const other = await passwordAccount(`finisher_${randomBytes(4).toString('hex')}@example.test`);
    const flow = await startLink('acme', starter.token);
    const response = await callback('acme', await atProvider(flow, 'hijack'), flow.cookie, bearer(other.token));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(await identitiesOf(other.token), []);
    assert.deepEqual(await identitiesOf(starter.token), []);
  });
});

describe('callback validation', () => {
  test('a tampered state, a missing, forged or foreign cookie are rejected before any code exchange', async () => {
    const flow = await startLogin('acme');
    const returned = await atProvider(flow, 'newcomer');
    const tampered = new URL(returned);
    tampered.searchParams.set('state', `${returned.searchParams.get('state')!.slice(0, -2)}xy`);
    const other = await startLogin('acme');
    const forgedCookie = `${flow.cookie.slice(0, 40)}${flow.cookie[40] === 'A' ? 'B' : 'A'}${flow.cookie.slice(41)}`;
    for (const [why, url, cookie] of [
      ['tampered state', tampered, flow.cookie],
      ['no cookie', returned, undefined],
      ['forged cookie', returned, forgedCookie],
      ['another attempt’s cookie', returned, other.cookie],
    ] as const) {
      const response = await callback('acme', url, cookie);
      assert.equal(response.statusCode, 400, why);
      assert.equal(response.json().code, 'OIDC_STATE_INVALID', why);
      assert.match(String(response.headers['set-cookie']), /Max-Age=0/, `${why}: the cookie is cleared`);
    }
    const wrongProvider = await callback('globex', returned, flow.cookie);
    assert.equal(wrongProvider.statusCode, 400, 'a cookie for acme does not serve globex');
    // None of this spent the code: the genuine callback still works.
    assert.equal((await callback('acme', returned, flow.cookie)).json().outcome, 'logged_in');
  });

  test('a reused state (callback replayed with its cookie) is rejected', async () => {
    const flow = await startLogin('acme');
    const returned = await atProvider(flow, 'newcomer');
    const first = await callback('acme', returned, flow.cookie);
    assert.equal(first.statusCode, 200, first.body);
    assert.match(String(first.headers['set-cookie']), /Max-Age=0/);
    const replay = await callback('acme', returned, flow.cookie);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().code, 'OIDC_CODE_REJECTED');
  });

  test('an ID token with a wrong nonce is rejected; so is a code obtained with another PKCE challenge', async () => {
    const nonceFlow = await startLogin('acme');
    const nonceReturned = await atProvider(nonceFlow, 'newcomer', (url) =>
      url.searchParams.set('nonce', 'a-nonce-the-attacker-chose-0123456789abcdef'),
    );
    const nonce = await callback('acme', nonceReturned, nonceFlow.cookie);
    assert.equal(nonce.statusCode, 400);
    assert.equal(nonce.json().code, 'OIDC_RESPONSE_INVALID');

    const pkceFlow = await startLogin('acme');
    const pkceReturned = await atProvider(pkceFlow, 'newcomer', (url) =>
      url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
    );
    const pkce = await callback('acme', pkceReturned, pkceFlow.cookie);
    assert.equal(pkce.statusCode, 400);
    assert.equal(pkce.json().code, 'OIDC_CODE_REJECTED');
  });

  test('a person who refuses consent at the provider gets a 400, not an account', async () => {
    const flow = await startLogin('acme');
    const returned = await authorizeAtProvider(flow.authorizationUrl, {
      login: 'newcomer',
      redirectPrefix: REDIRECT_URI,
      deny: true,
    });
    assert.equal(returned.searchParams.get('error'), 'access_denied');
    const response = await callback('acme', returned, flow.cookie);
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'OIDC_AUTHORIZATION_DENIED');
  });

  test('malformed callback queries are 400, never 500', async () => {
    const flow = await startLogin('acme');
    for (const query of ['', '?code=abc', `?state=${'x'.repeat(600)}`, '?state=a&state=b', '?state=abc&code=x'])
      assert.equal(
        (
          await app.inject({
            method: 'GET',
            url: `/v1/auth/oidc/acme/callback${query}`,
            headers: { cookie: `${COOKIE}=${flow.cookie}` },
          })
        ).statusCode,
        400,
        query,
      );
  });
});
