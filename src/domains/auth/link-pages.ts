// Development stand-ins for the web front end's pages that mails link to (issue 10): VEZA_PUBLIC_URL defaults
// to the API itself, so without them a developer's verification or reset link is a 404. Served only outside
// production, where the real front end owns these paths. Under a strict CSP: no inline script or style; the
// one script is a file of this origin, and it may only talk back to this origin.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { CspDirectives } from '../../platform/http/security.ts';

export const LINK_PAGE_SCRIPT_PATH = '/link-pages/link-page.js';

export const LINK_PAGE_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

interface LinkPage {
  path: string;
  title: string;
  explanation: string;
  /** The API route the page posts the token to (docs/api.md). */
  endpoint: string;
  button: string;
  done: string;
  /** Whether the page asks for a new password (sent as new_password). */
  asksPassword: boolean;
}

const PAGES: readonly LinkPage[] = [
  {
    path: '/verify-email',
    title: 'Confirm your email address',
    explanation: 'Confirm that the address this link was mailed to is yours (or is your account’s new address).',
    endpoint: '/v1/auth/verify-email',
    button: 'Confirm my address',
    done: 'Your address is confirmed. You can close this page.',
    asksPassword: false,
  },
  {
    path: '/reset-password',
    title: 'Choose a new password',
    explanation: 'Setting a new password signs you out on every device.',
    endpoint: '/v1/auth/password-reset/confirm',
    button: 'Set my new password',
    done: 'Your password is changed. Log in with it.',
    asksPassword: true,
  },
];

// The page carries no request data at all (the script reads the token from the address bar), so nothing
// a caller sends can be reflected into it.
function render(page: LinkPage): string {
  const password = page.asksPassword
    ? `
      <p><label for="new_password">New password (at least 10 characters)</label><br>
        <input id="new_password" name="new_password" type="password" autocomplete="new-password"
          minlength="10" maxlength="72" required></p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${page.title} · Veza (development)</title>
  <script src="${LINK_PAGE_SCRIPT_PATH}" defer></script>
</head>
<body>
  <main>
    <h1>${page.title}</h1>
    <p>${page.explanation}</p>
    <form id="link-form" data-endpoint="${page.endpoint}" data-done="${page.done}">${password}
      <p><button type="submit">${page.button}</button></p>
    </form>
    <p id="result" role="status"></p>
    <p><small>Development page of Veza Core: in production the web front end at VEZA_PUBLIC_URL serves this link.
      It posts the token to <code>POST ${page.endpoint}</code> (docs/api.md).</small></p>
  </main>
</body>
</html>
`;
}

// Plain browser JavaScript, served as a file: it takes the token out of the address bar (and out of the history),
// posts it as JSON, and shows the answer, naming the fields of a problem.
const SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('link-form');
  const result = document.getElementById('result');
  const token = new URLSearchParams(window.location.search).get('token');
  window.history.replaceState(null, '', window.location.pathname);
  if (!token) {
    form.hidden = true;
    result.textContent = 'This link has no token: open the link from the mail exactly as it is.';
    return;
  }
  const button = form.querySelector('button');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { token };
    const password = form.elements.namedItem('new_password');
    if (password) body.new_password = password.value;
    button.disabled = true;
    result.textContent = 'Sending…';
    try {
      const response = await fetch(form.dataset.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        form.hidden = true;
        result.textContent = form.dataset.done;
        return;
      }
      const problem = await response.json().catch(() => ({}));
      const fields = (problem.errors || []).map((error) => error.field + ' ' + error.message).join('; ');
      result.textContent = (problem.title || 'Refused (' + response.status + ')') + (fields ? ': ' + fields : '');
    } catch (error) {
      result.textContent = 'The server could not be reached: ' + error.message;
    }
    button.disabled = false;
  });
});
`;

const htmlPage = {
  200: { description: 'The page', content: { 'text/html': { schema: Type.String() } } },
};

/** Registers the pages at the paths of the links in mails (auth.mails.ts), outside any /v1 prefix. */
export function registerLinkPages(app: FastifyInstance): void {
  for (const page of PAGES) {
    app.get(
      page.path,
      {
        helmet: { contentSecurityPolicy: { useDefaults: false, directives: LINK_PAGE_CSP } },
        schema: {
          tags: ['development'],
          summary: `Development only: the page of a mailed link (${page.title.toLowerCase()})`,
          description:
            `Served when NODE_ENV is not production. Reads ?token= in the browser and posts it to ` +
            `POST ${page.endpoint}.`,
          response: htmlPage,
        },
      },
      (_request, reply) =>
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(render(page)),
    );
  }
  app.get(
    LINK_PAGE_SCRIPT_PATH,
    {
      schema: {
        tags: ['development'],
        summary: 'Development only: the script of the mailed-link pages',
        response: {
          200: { description: 'The script', content: { 'text/javascript': { schema: Type.String() } } },
        },
      },
    },
    (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT),
  );
}
