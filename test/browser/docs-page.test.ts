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

  // Past a couple of hundred operations Swagger UI renders only those near the viewport: walk the page down.
  const shown = new Set<string>();
  for (let step = 0; step < 1_000; step++) {
    const visible = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    for (const operation of visible) shown.add(operation);
    // Page scripts as strings: this file is compiled without the DOM's types.
    const atBottom = await page.evaluate<boolean>(
      '(() => { const before = scrollY; scrollBy(0, innerHeight / 2); return scrollY === before; })()',
    );
    if (atBottom) break;
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  }
  const spec = JSON.parse((await testApp.current.app.inject({ method: 'GET', url: '/openapi.json' })).body) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const documented = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method} ${path}`),
  );
  assert.ok(documented.length > 30, `only ${documented.length} routes documented`);
  assert.deepEqual([...shown].sort(), [...new Set(documented)].sort());
  assert.match(await page.title(), /Swagger UI|Veza/i);

  // An operation opened: the request example is the realistic one of openapi.ts, and problems are problem+json.
  // The tag filter leaves few enough operations for all of them to be rendered.
  await page.fill('.operation-filter-input', 'auth');
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
