#!/usr/bin/env node
// The `veza` command. Veza Core runs its TypeScript sources directly, which needs Node.js 24+.
// When started by an older node (the machine's default, say), re-run under the Node 24 that
// `npm install` brought into node_modules (the "node" dev dependency).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundledNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundledNode)) {
    console.error(
      `veza needs Node.js 24 or later (this is ${process.version}); run "npm install" in the project first.`,
    );
    process.exit(1);
  }
  const child = spawn(bundledNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await import('../src/cli/main.ts');
}
