import type { Config } from '../platform/config/config.ts';
import { startService } from '../main.ts';

export async function serve(config: Config): Promise<void> {
  const log = (line: string) => console.error(line);
  const service = await startService(config, log);
  log(`veza listening on ${service.url}`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
