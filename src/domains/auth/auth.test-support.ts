// Helpers shared by the auth domain's HTTP tests: a real SMTP server, the app configured to use it, and an
// implementation of TOTP written from RFC 6238 that shares nothing with otplib.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before } from 'node:test';
import { useTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../../test/helpers/smtp.ts';

/** The lockout the tests run with: small numbers, so that a test reaches them quickly. */
export const TEST_LOCKOUT = { perIdentifier: 3, perIp: 12, windowSeconds: 3600, lockSeconds: 30 };

export interface AuthTestContext {
  readonly app: TestApp;
  readonly smtp: TestSmtpServer;
}

/** The application with its mail going to a real SMTP server on loopback, and a quick lockout. */
export function useAuthApp(env: Record<string, string> = {}): AuthTestContext {
  let smtp: TestSmtpServer | undefined;
  before(async () => {
    smtp = await startSmtpServer();
  });
  const testApp = useTestApp({
    env: () => ({
      VEZA_SMTP_URL: smtp?.url ?? '',
      VEZA_PUBLIC_URL: 'https://veza.test',
      VEZA_LOGIN_MAX_FAILURES: String(TEST_LOCKOUT.perIdentifier),
      VEZA_LOGIN_MAX_FAILURES_PER_IP: String(TEST_LOCKOUT.perIp),
      VEZA_LOGIN_WINDOW_SECONDS: String(TEST_LOCKOUT.windowSeconds),
      VEZA_LOGIN_LOCK_SECONDS: String(TEST_LOCKOUT.lockSeconds),
      ...env,
    }),
  });
  after(async () => {
    await smtp?.close();
  });
  return {
    get app() {
      return testApp.current;
    },
    get smtp() {
      if (!smtp) throw new Error('the SMTP server is only available inside tests');
      return smtp;
    },
  };
}

let ipSequence = 0;
/** A fresh client address (TEST-NET-2), so that one test's failures never lock another's address. */
export function freshIp(): string {
  ipSequence += 1;
  return `198.51.${Math.floor(ipSequence / 250) % 250}.${(ipSequence % 250) + 1}`;
}

let nameSequence = 0;
export function uniqueName(prefix = 'user'): string {
  nameSequence += 1;
  return `${prefix}_${process.pid % 10_000}_${nameSequence}_${Math.random().toString(36).slice(2, 6)}`;
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  token?: string;
  ip?: string;
  userAgent?: string;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
  raw: string;
}

export async function call(context: AuthTestContext, request: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.userAgent) headers['user-agent'] = request.userAgent;
  const response = await context.app.app.inject({
    method: request.method,
    url: request.url,
    headers,
    remoteAddress: request.ip ?? '203.0.113.1',
    ...(request.body !== undefined ? { payload: request.body as Record<string, unknown> } : {}),
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
    headers: response.headers,
    raw: response.body,
  };
}

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  id: string;
  email: string;
  username: string;
  password: string;
}

/** Registers a new account over HTTP (the verification mail goes to the SMTP server). */
export async function register(
  context: AuthTestContext,
  overrides: Partial<{ email: string; username: string; password: string; marketing_consent: boolean }> = {},
): Promise<Account> {
  const username = overrides.username ?? uniqueName();
  const email = overrides.email ?? `${username}@example.test`;
  const password = overrides.password ?? PASSWORD;
  const answer = await call(context, {
    method: 'POST',
    url: '/v1/auth/register',
    body: { email, username, password, data_processing_consent: true, ...overrides },
    // Registration is rate-limited per address: each test account comes from an address of its own.
    ip: freshIp(),
  });
  assert.equal(answer.status, 202, answer.raw);
  // The answer names no account (ADR 0033): the new one is found by its address.
  const [created] = await context.app.database.sql`SELECT id FROM users WHERE email = ${email.toLowerCase()}`;
  assert.ok(created, `no account for ${email}`);
  return { id: String(created.id), email: email.toLowerCase(), username, password };
}

export interface Session {
  access_token: string;
  refresh_token: string;
}

export async function login(
  context: AuthTestContext,
  account: Pick<Account, 'email' | 'password'>,
  extra: { ip?: string; device_name?: string; device_type?: string; userAgent?: string } = {},
): Promise<Session> {
  const { ip, userAgent, ...device } = extra;
  const answer = await call(context, {
    method: 'POST',
    url: '/v1/auth/login',
    body: { identifier: account.email, password: account.password, ...device },
    ip: ip ?? freshIp(),
    ...(userAgent ? { userAgent } : {}),
  });
  assert.equal(answer.status, 200, answer.raw);
  assert.equal(answer.body.mfa_required, false);
  return { access_token: String(answer.body.access_token), refresh_token: String(answer.body.refresh_token) };
}

/** The token of the link in a mail: `https://veza.test/<path>?token=<token>`, as a user would click it. */
export function tokenFromMail(mail: ReceivedMail, path: 'verify-email' | 'reset-password'): string {
  const link = new RegExp(`https://veza\\.test/${path}\\?token=([^\\s]+)`).exec(mail.text)?.[1];
  assert.ok(link, `no ${path} link in:\n${mail.text}`);
  return new URL(`https://veza.test/${path}?token=${link}`).searchParams.get('token') ?? '';
}

export function mailTo(context: AuthTestContext, address: string, subject: RegExp): Promise<ReceivedMail> {
  return context.smtp.waitFor((mail) => mail.envelopeTo.includes(address) && subject.test(mail.subject));
}

// --- TOTP, written from RFC 4226 §5.3 and RFC 6238 §4 (HMAC-SHA1, 30 s steps, 6 digits) ----------------------

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function independentTotp(base32Secret: string, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(base32Secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(binary).padStart(6, '0');
}

/** A six-digit code that is not valid now nor one step either side. */
export function wrongTotp(base32Secret: string): string {
  const valid = new Set([-30_000, 0, 30_000].map((shift) => independentTotp(base32Secret, Date.now() + shift)));
  for (let n = 0; ; n += 1) {
    const code = String((123_456 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}
