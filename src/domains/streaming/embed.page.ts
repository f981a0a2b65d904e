// The embeddable player page (issue 13 §7, ADR 0048): server-rendered HTML, one stylesheet and one script served
// as files of this origin, under a strict Content-Security-Policy that only lets other sites frame it.
// Everything from the database is escaped: into HTML text and attributes with escapeHtml, into the page's JSON data
// block with jsonForHtml (a title may hold `</script>`).
import type { CspDirectives } from '../../platform/http/security.ts';
import type { EmbedView } from './embed.service.ts';

export const EMBED_SCRIPT_PATH = '/embed/player.js';
export const EMBED_STYLE_PATH = '/embed/player.css';

/**
 * Nothing inline, nothing from elsewhere: the script and stylesheet above, the audio from our stream route,
 * no connections, forms or plugins. `frame-ancestors *` is the one opening: being framed is the page's purpose.
 */
export const EMBED_PAGE_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'media-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ['*'],
};

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside HTML text and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** JSON safe inside a <script type="application/json"> block: no `<`, `>` or `&` can end it or open a comment. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="${EMBED_STYLE_PATH}">
  <script src="${EMBED_SCRIPT_PATH}" defer></script>
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderEmbedPage(view: EmbedView): string {
  const title = escapeHtml(view.title);
  const byline = [view.artist, view.creator].filter((part): part is string => part !== null && part !== '');
  const data = {
    duration: view.duration,
    waveform: view.waveform,
    markers: view.markers.map((marker) => ({ at: marker.at })),
  };
  const comments = view.markers
    .map(
      (marker) =>
        `      <li><a href="#" class="at" data-at="${marker.at}">${clock(marker.at)}</a> ` +
        `<span class="author">${escapeHtml(marker.author ?? 'someone')}</span> ${escapeHtml(marker.text)}</li>`,
    )
    .join('\n');
  return shell(
    `${title} · Veza`,
    `  <main class="player">
    <header>
      <h1 class="title">${title}</h1>
      <p class="creator">${byline.map(escapeHtml).join(' · ')}</p>
    </header>
    <canvas id="waveform" width="600" height="80" aria-label="Waveform of ${title}"></canvas>
    <audio id="audio" controls preload="metadata" src="${escapeHtml(view.streamUrl)}"></audio>
    <details class="comments"${view.markers.length === 0 ? ' hidden' : ''}>
      <summary>${view.markers.length} timestamped comment${view.markers.length === 1 ? '' : 's'}</summary>
      <ul>
${comments}
      </ul>
    </details>
  </main>
  <script type="application/json" id="embed-data">${jsonForHtml(data)}</script>`,
  );
}

export const EMBED_STYLE = `body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1d1d1f; background: #fff; }
.player { padding: 12px; }
.title { font-size: 16px; margin: 0; overflow-wrap: anywhere; }
.creator { margin: 2px 0 8px; color: #555; overflow-wrap: anywhere; }
#waveform { display: block; width: 100%; height: 80px; cursor: pointer; }
#audio { width: 100%; margin-top: 8px; }
.comments ul { margin: 4px 0; padding-left: 16px; max-height: 120px; overflow: auto; }
.author { font-weight: 600; }
`;

// Plain browser JavaScript, served as a file. Draws the waveform (min/max peaks per bucket, ADR 0041) and the
// comment markers on the canvas, the played part in another colour; a click on the canvas or on a comment's time
// seeks there. The embedded player reports no plays: it is anonymous (ADR 0045).
export const EMBED_SCRIPT = `'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const data = JSON.parse(document.getElementById('embed-data').textContent);
  const canvas = document.getElementById('waveform');
  const audio = document.getElementById('audio');
  const context = canvas.getContext('2d');
  let peaks = null;
  if (data.waveform) {
    const bytes = atob(data.waveform.data);
    peaks = new Int8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 1) peaks[i] = (bytes.charCodeAt(i) << 24) >> 24;
  }
  const duration = () => (Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : data.duration);

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.clearRect(0, 0, width, height);
    const middle = height / 2;
    const played = (audio.currentTime / duration()) * width;
    for (let x = 0; x < width; x += 1) {
      let low = 0;
      let high = 0;
      if (peaks) {
        const buckets = peaks.length / 2;
        const from = Math.floor((x / width) * buckets);
        const to = Math.max(from + 1, Math.floor(((x + 1) / width) * buckets));
        low = 127;
        high = -128;
        for (let b = from; b < to && b < buckets; b += 1) {
          low = Math.min(low, peaks[2 * b]);
          high = Math.max(high, peaks[2 * b + 1]);
        }
      }
      const top = middle - (Math.max(high, 1) / 127) * (middle - 6);
      const bottom = middle - (Math.min(low, -1) / 127) * (middle - 6);
      context.fillStyle = x < played ? '#ff5500' : '#9a9a9a';
      context.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
    context.fillStyle = '#1d6fd8';
    for (const marker of data.markers) {
      const x = Math.round((marker.at / data.duration) * (width - 3));
      context.fillRect(x, height - 6, 3 * ratio, 6);
    }
  }

  function seek(seconds) {
    audio.currentTime = Math.max(0, Math.min(seconds, duration()));
    draw();
  }

  canvas.addEventListener('click', (event) => {
    const box = canvas.getBoundingClientRect();
    seek(((event.clientX - box.left) / box.width) * duration());
  });
  for (const link of document.querySelectorAll('a.at')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      seek(Number(link.dataset.at));
      audio.play().catch(() => {});
    });
  }
  audio.addEventListener('timeupdate', draw);
  audio.addEventListener('seeked', draw);
  audio.addEventListener('loadedmetadata', draw);
  window.addEventListener('resize', draw);
  draw();
});
`;
