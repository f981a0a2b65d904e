#!/usr/bin/env node
// The `veza` command. Veza Core runs its TypeScript sources directly, which needs Node.js 24+.
// When started by an older node (the machine's default, say), re-run under the Node 24 that
// `npm install` brought into node_modules (the "node" dev dependency).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

// Set in the re-run child's environment, so it knows an IPC channel to its wrapper is its lifeline.
const WRAPPED = 'VEZA_WRAPPER_PID';
// A wrapper killed outright (SIGKILL) can forward nothing; its child then stops as on SIGTERM, and is
// forced out if a graceful stop outlasts this.
const ORPHAN_EXIT_MS = 10_000;

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const bundledNode = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundledNode)) {
    console.error(
      `veza needs Node.js 24 or later (this is ${process.version}); run "npm install" in the project first.`,
    );
    process.exit(1);
  }
  // The IPC channel closes when this process dies however it dies, which the child sees as 'disconnect'.
  const child = spawn(bundledNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [WRAPPED]: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  if (process.env[WRAPPED] && process.channel) {
    delete process.env[WRAPPED];
    process.once('disconnect', () => {
      setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
      // The same path as an operator's SIGTERM: `serve` closes HTTP, jobs, pool and the embedded PostgreSQL;
      // a command without a handler ends at once.
      process.kill(process.pid, 'SIGTERM');
    });
    // The channel alone must not keep a finished command alive.
    process.channel.unref();
  }
  await import('../src/cli/main.ts');
}
