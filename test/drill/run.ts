// `npm run drill`: the full crash drill of ADR 0029 — 10 crash cycles and 10 pool connections killed
// mid-transaction against a real `veza serve` — printed as a table. Exits 1 when a count is not zero.
import { parseArgs } from 'node:util';
import { runCrashDrill, summaryTable } from './crash-drill.ts';

const { values } = parseArgs({
  options: { cycles: { type: 'string', default: '10' }, clients: { type: 'string', default: '4' } },
});
const cycles = Number(values.cycles);
const result = await runCrashDrill({
  crashCycles: cycles,
  terminateCycles: cycles,
  clients: Number(values.clients),
  log: (line) => console.error(line),
});
console.log(summaryTable(result));
const failed =
  result.deaths + result.lost + result.unexpected.length + result.overBound + result.afterRecoveryFailures > 0 ||
  result.cycles.some((cycle) => cycle.recoveryMs === null);
if (failed) {
  console.log('\nunexpected answers:', JSON.stringify(result.unexpected, null, 2));
  console.log('\nveza serve output (tail):\n', result.serveOutput);
}
process.exitCode = failed ? 1 : 0;
