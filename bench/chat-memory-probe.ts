// Preloaded into `veza serve` by the chat fan-out benchmark (node --import, with --expose-gc) so the coordinator can
// read the instance's memory: on SIGUSR2 the process collects garbage twice and writes process.memoryUsage() to the
// file VEZA_BENCH_PROBE names (written aside, then renamed, so a reader never sees half of it). Never loaded by the
// service itself.
import { renameSync, writeFileSync } from 'node:fs';

export interface ProbeReading {
  memory: NodeJS.MemoryUsage;
}

const file = process.env.VEZA_BENCH_PROBE;
if (file) {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    // Twice: the first pass may only promote what the second frees.
    gc?.();
    gc?.();
    const reading: ProbeReading = { memory: process.memoryUsage() };
    writeFileSync(`${file}.tmp`, JSON.stringify(reading));
    renameSync(`${file}.tmp`, file);
  });
}
