import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashDrill, summaryTable } from './crash-drill.ts';

// The CI subset of `npm run drill` (ADR 0029): two crashes of PostgreSQL and two pool connections killed
// mid-transaction, under a steady registration load against a real `veza serve`.
test('veza serve survives PostgreSQL crashes and killed connections: no death, no lost write, only 2xx/503, all bounded', async () => {
  const result = await runCrashDrill({ crashCycles: 2, terminateCycles: 2 });
  const report = `${summaryTable(result)}\n${JSON.stringify(result.unexpected)}\n${result.serveOutput}`;
  assert.equal(result.deaths, 0, `the process died:\n${report}`);
  assert.ok(result.acknowledged > 0, 'the load wrote something');
  assert.equal(result.lost, 0, `acknowledged writes are missing:\n${report}`);
  assert.deepEqual(result.unexpected, [], `answers other than 2xx/503:\n${report}`);
  assert.equal(result.overBound, 0, `requests over ${result.boundMs} ms:\n${report}`);
  assert.equal(result.afterRecoveryFailures, 0, `failures after recovery (a poisoned connection?):\n${report}`);
  for (const cycle of result.cycles) {
    assert.notEqual(cycle.recoveryMs, null, `cycle ${cycle.cycle} never recovered:\n${report}`);
    assert.ok(cycle.unavailable > 0, `cycle ${cycle.cycle} disrupted nothing, so proves nothing:\n${report}`);
    if (cycle.kind === 'crash') {
      assert.equal(cycle.readyzDuringOutage?.status, 503, report);
      assert.ok((cycle.readyzDuringOutage?.ms ?? Infinity) < 1_000, `/readyz took over a second:\n${report}`);
      assert.ok((cycle.readyMs ?? Infinity) < 5_000, `not ready within 5 s of PostgreSQL's return:\n${report}`);
    } else {
      assert.ok(cycle.killed > 0, report);
    }
  }
});
