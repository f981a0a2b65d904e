// `npm run drill`: the full crash drill of ADR 0029 — 10 crash cycles and 10 pool connections killed
// mid-transaction against a real `veza serve` — then the Patroni failover drill of ADR 0098, then the backup RPO/RTO
// drill of docs/operations.md (`--backup-scales 0.01,0.03`), each printed as a table. `--only crash`, `--only
// failover` or `--only backup` runs one of them. Exits 1 when a count is not zero.
import { parseArgs } from 'node:util';
import { runCrashDrill, summaryTable } from './crash-drill.ts';
import { backupDrillTable, runBackupDrill } from './backup-drill.ts';
import { failoverFailures, failoverTable, runFailoverDrill } from './failover.ts';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    only: { type: 'string' },
    // The backup RPO/RTO drill (docs/operations.md "RPO and RTO"): seed scales, comma-separated.
    'backup-scales': { type: 'string', default: '0.01' },
  },
});
let failed = false;
if (values.only === undefined || values.only === 'crash') {
  const cycles = Number(values.cycles);
  const result = await runCrashDrill({
    crashCycles: cycles,
    terminateCycles: cycles,
    clients: Number(values.clients),
    log: (line) => console.error(line),
  });
  console.log(summaryTable(result));
  const crashFailed =
    result.deaths + result.lost + result.unexpected.length + result.overBound + result.afterRecoveryFailures > 0 ||
    result.cycles.some((cycle) => cycle.recoveryMs === null);
  if (crashFailed) {
    console.log('\nunexpected answers:', JSON.stringify(result.unexpected, null, 2));
    console.log('\nveza serve output (tail):\n', result.serveOutput);
  }
  failed ||= crashFailed;
}
if (values.only === undefined || values.only === 'failover') {
  const result = await runFailoverDrill({
    scenarios: ['postmaster', 'node', 'etcd'],
    clients: Number(values.clients),
    log: (line) => console.error(line),
  });
  console.log(`\n${failoverTable(result)}`);
  const failures = failoverFailures(result);
  if (failures.length > 0) {
    console.log('\nfailover drill failures:\n', failures.join('\n'));
    console.log('\nunexpected answers:', JSON.stringify(result.unexpected, null, 2));
    console.log('\nrequest failures logged by veza serve:\n', result.serveErrors.join('\n'));
    console.log('\ncluster logs (tail):\n', result.clusterLogs);
  }
  failed ||= failures.length > 0;
}
if (values.only === undefined || values.only === 'backup') {
  const results = [];
  for (const scale of values['backup-scales'].split(',').map(Number)) {
    results.push(await runBackupDrill({ scale, log: (line) => console.error(line) }));
  }
  console.log(`\n${backupDrillTable(results)}`);
  failed ||= results.some((result) => result.readyzStatus !== 200);
}
process.exitCode = failed ? 1 : 0;
