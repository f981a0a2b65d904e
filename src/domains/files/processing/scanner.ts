// ClamAV scan of one stored file (ADR 0040). clamscan and clamdscan share their exit codes and their
// "<path>: <signature> FOUND" line, so either may be configured.
import { runTool } from './tools.ts';

export interface ScannerConfig {
  /** clamscan (loads the signatures on every run) or clamdscan (asks a running clamd); null: no scanner. */
  command: string | null;
  /** A signature directory for clamscan (--database); null: ClamAV's own default. */
  databaseDir: string | null;
  timeoutMs: number;
}

export type ScanResult =
  | { verdict: 'clean' }
  | { verdict: 'infected'; signature: string }
  /** No scanner is installed or configured: the file is kept, but not served to others in production. */
  | { verdict: 'unscanned'; reason: string }
  /** The scanner ran and failed (no signatures, unreadable file): transient, so the job retries. */
  | { verdict: 'error'; reason: string };

export async function scanFile(path: string, config: ScannerConfig): Promise<ScanResult> {
  if (config.command === null) return { verdict: 'unscanned', reason: 'no virus scanner is configured' };
  const args = ['--no-summary', '--stdout'];
  if (config.databaseDir !== null) args.push(`--database=${config.databaseDir}`);
  args.push('--', path);
  const result = await runTool(config.command, args, { timeoutMs: config.timeoutMs });
  if (result.spawnError?.code === 'ENOENT') {
    return { verdict: 'unscanned', reason: `the virus scanner ${config.command} is not installed` };
  }
  if (result.spawnError !== null) return { verdict: 'error', reason: result.spawnError.message };
  if (result.timedOut) return { verdict: 'error', reason: `the virus scan took longer than ${config.timeoutMs} ms` };
  if (result.code === 0) return { verdict: 'clean' };
  if (result.code === 1) {
    const output = result.stdout.toString('utf8');
    const found = /: (.+) FOUND\s*$/m.exec(output);
    return { verdict: 'infected', signature: found?.[1]?.trim() ?? 'unknown signature' };
  }
  const lastLine = (result.stderr.trim() || result.stdout.toString('utf8').trim()).split('\n').at(-1) ?? '';
  return { verdict: 'error', reason: `the virus scanner failed (exit ${result.code}): ${lastLine}` };
}

/** files.virus_scan_result is VARCHAR(50): "infected:" plus as much of the signature name as fits. */
export function scanResultColumn(result: ScanResult): string {
  if (result.verdict === 'infected') return `infected:${result.signature}`.slice(0, 50);
  return result.verdict;
}
