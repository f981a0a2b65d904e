import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { useTestApp } from '../helpers/app.ts';
import { launchChromium } from '../helpers/browser.ts';

// The API reference page rendered by a real browser (issue 5): Debian's Chromium, driven by playwright-core.

const testApp = useTestApp();

test('/docs renders in Chromium and lists every documented route', async () => {
  const baseUrl = await testApp.current.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    await checkDocsPage(baseUrl, await browser.newPage());
  } finally {
    await browser.close();
  }
});

async function checkDocsPage(baseUrl: string, page: Page): Promise<void> {
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  await page.goto(`${baseUrl}/docs`, { waitUntil: 'networkidle' });
  await page.waitForSelector('.opblock', { timeout: 30_000 });

  const shown = await page.$$eval('.opblock', (blocks) =>
    blocks.map((block) => {
      const method = block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase() ?? '';
      const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
      return `${method} ${path}`;
    }),
  );
  const spec = JSON.parse((await testApp.current.app.inject({ method: 'GET', url: '/openapi.json' })).body) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method} ${path}`),
  );
  assert.ok(documented.length > 30, `only ${documented.length} routes documented`);
  assert.deepEqual([...new Set(shown)].sort(), [...new Set(documented)].sort());
  assert.match(await page.title(), /Swagger UI|Veza/i);

  // An operation opened: the request example is the realistic one of openapi.ts, and problems are problem+json.
  const login = page.locator('#operations-auth-post_v1_auth_login');
  await login.locator('.opblock-summary').click();
  await login.locator('.opblock-body').waitFor();
  const opened = (await login.textContent()) ?? '';
  assert.match(opened, /"identifier": "alice@example\.org"/);
  assert.match(opened, /application\/problem\+json/);
  assert.match(opened, /urn:veza:problem:validation-failed/);
  await login.scrollIntoViewIfNeeded();
  await page.screenshot({ path: process.env.VEZA_DOCS_SCREENSHOT ?? '.veza/docs-page.png', fullPage: false });
  assert.deepEqual(failures, [], 'the page ran without script errors');
}
