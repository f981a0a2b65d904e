// The development pages of mailed links (issue 10): served outside production only, under a CSP with no inline
// script, carrying nothing of the request. Their behaviour in a browser: test/browser/link-pages.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { LINK_PAGE_SCRIPT_PATH } from './link-pages.ts';

const testApp = useTestApp();
const production = useTestApp({
  env: () => ({
    NODE_ENV: 'production',
    VEZA_SMTP_URL: 'smtp://127.0.0.1:9',
    VEZA_ENCRYPTION_KEYS: JSON.stringify({ k1: randomBytes(32).toString('base64') }),
  }),
});

describe('the pages of mailed links', () => {
  for (const path of ['/verify-email', '/reset-password']) {
    test(`GET ${path}: a page whose only script is a file of this origin`, async () => {
      const answer = await testApp.current.app.inject({
        method: 'GET',
        url: `${path}?token=abc.def%22%3E%3Cscript%3Ealert(1)%3C/script%3E`,
      });
      assert.equal(answer.statusCode, 200);
      assert.match(String(answer.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(answer.headers['cache-control'], 'no-store');
      const csp = String(answer.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      // Every <script> has a src and no content; the query string is not echoed anywhere.
      const scripts = [...answer.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, 1);
      assert.match(scripts[0]![1]!, new RegExp(`src="${LINK_PAGE_SCRIPT_PATH}"`));
      assert.equal(scripts[0]![2], '');
      assert.ok(
        !answer.body.includes('abc.def') && !answer.body.includes('alert'),
        'nothing of the request is reflected',
      );
      assert.doesNotMatch(
        answer.body,
        /\sstyle=|<style|\son[a-z]+=/i,
        'no inline style or handler for the CSP to refuse',
      );
    });
  }

  test('the script is served as JavaScript and posts to the documented API routes', async () => {
    const answer = await testApp.current.app.inject({ method: 'GET', url: LINK_PAGE_SCRIPT_PATH });
    assert.equal(answer.statusCode, 200);
    assert.match(String(answer.headers['content-type']), /^text\/javascript/);
    const pages = await Promise.all(
      ['/verify-email', '/reset-password'].map((url) => testApp.current.app.inject({ method: 'GET', url })),
    );
    assert.match(pages[0]!.body, /data-endpoint="\/v1\/auth\/verify-email"/);
    assert.match(pages[1]!.body, /data-endpoint="\/v1\/auth\/password-reset\/confirm"/);
    assert.match(pages[1]!.body, /name="new_password"/);
    assert.match(answer.body, /fetch\(form\.dataset\.endpoint/);
  });

  test('production leaves these paths to the front end: 404', async () => {
    for (const url of ['/verify-email?token=a.b', '/reset-password?token=a.b', LINK_PAGE_SCRIPT_PATH]) {
      const answer = await production.current.app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 404, url);
    }
    // The same app serves its API: the 404 is the pages' absence, not a broken app.
    assert.equal((await production.current.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});
