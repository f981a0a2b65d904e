import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.VEZA_CHROMIUM ?? '/usr/bin/chromium';

// Without these, Chromium in a closed network keeps trying to reach Google's services.
const QUIET_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's Chromium (`npm test` installs it: scripts/system-packages.sh), headless, driven by playwright-core.
 * `extraArgs` adds switches, e.g. `--autoplay-policy=no-user-gesture-required` for a test that plays media.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install chromium) or set VEZA_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...QUIET_FLAGS, ...extraArgs] });
}
