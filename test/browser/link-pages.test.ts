import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { useTestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../helpers/smtp.ts';

// The development pages of mailed links (issue 10) in Debian's Chromium, under the CSP they are served with: a
// person follows the verification link and the reset link of real mails, and the API does what they ask.

const PASSWORD = 'a passphrase for the browser test';

let smtp: TestSmtpServer | undefined;
before(async () => {
  smtp = await startSmtpServer();
});
const testApp = useTestApp({ env: () => ({ VEZA_SMTP_URL: smtp?.url ?? '', VEZA_PUBLIC_URL: 'https://veza.test' }) });
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  await smtp?.close();
});

/** The link of a mail, moved onto the server under test (VEZA_PUBLIC_URL is the front end's address). */
function linkOn(baseUrl: string, mail: ReceivedMail, path: string): string {
  const link = new RegExp(`https://veza\\.test(/${path}\\?token=\\S+)`).exec(mail.text)?.[1];
  assert.ok(link, `no ${path} link in:\n${mail.text}`);
  return `${baseUrl}${link}`;
}

/** A page that records script errors and CSP refusals, which the test requires to be none. */
async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
  browser ??= await launchChromium();
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return { page, problems };
}

/** Waits until the page's status line shows `text`. */
function resultSays(page: Page, text: RegExp): Promise<void> {
  return page.locator('#result').filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

async function register(username: string): Promise<string> {
  const email = `${username}@example.test`;
  const answer = await testApp.current.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, username, password: PASSWORD, data_processing_consent: true },
  });
  // 201, or 202 where registration answers alike for taken and new addresses (ADR 0033).
  assert.ok(answer.statusCode === 201 || answer.statusCode === 202, answer.body);
  return email;
}

test('the verification link verifies the address in a browser; followed again, the page says why not', async () => {
  const baseUrl = await testApp.current.app.listen({ host: '127.0.0.1', port: 0 });
  const email = await register(`browser_${process.pid}_v`);
  const mail = await smtp!.waitFor((m) => m.envelopeTo.includes(email) && /Confirm your email/.test(m.subject));
  const link = linkOn(baseUrl, mail, 'verify-email');

  const { page, problems } = await watchedPage();
  await page.goto(link);
  assert.equal(new URL(page.url()).search, '', 'the token is taken out of the address bar and history');
  await page.click('button[type=submit]');
  await resultSays(page, /confirmed/);
  const [row] = await testApp.current.database.sql`SELECT email_verified_at FROM users WHERE email = ${email}`;
  assert.ok(row?.email_verified_at instanceof Date, 'the API verified the address');

  await page.goto(link);
  await page.click('button[type=submit]');
  await resultSays(page, /invalid, expired or already used/);
  // The refused POST shows as a failed resource load (400): anything else is a script error or a CSP refusal.
  assert.deepEqual(
    problems.filter((text) => !/status of 400/.test(text)),
    [],
  );
});

test('the reset link sets the new password typed into the page', async () => {
  const baseUrl = testApp.current.app.server.listening
    ? `http://127.0.0.1:${(testApp.current.app.server.address() as { port: number }).port}`
    : await testApp.current.app.listen({ host: '127.0.0.1', port: 0 });
  const email = await register(`browser_${process.pid}_r`);
  const asked = await testApp.current.app.inject({
    method: 'POST',
    url: '/v1/auth/password-reset/request',
    payload: { email },
  });
  assert.equal(asked.statusCode, 202);
  const mail = await smtp!.waitFor((m) => m.envelopeTo.includes(email) && /Reset your Veza password/.test(m.subject));

  const { page, problems } = await watchedPage();
  await page.goto(linkOn(baseUrl, mail, 'reset-password'));
  const newPassword = 'typed into the reset page 2026';
  await page.fill('#new_password', newPassword);
  await page.click('button[type=submit]');
  await resultSays(page, /password is changed/);
  assert.deepEqual(problems, []);

  const login = await testApp.current.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { identifier: email, password: newPassword },
  });
  assert.equal(login.statusCode, 200, login.body);
});
