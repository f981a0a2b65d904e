import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../platform/config/config.ts';
import { registerBackupCommands } from './backup.commands.ts';
import { registerDbCommands } from './db.commands.ts';
import { cliErrorMessage } from './error-message.ts';
import { registerGdprCommands } from './gdpr.commands.ts';
import { registerJobsCommands } from './jobs.commands.ts';
import { registerMarketCommands } from './market.commands.ts';
import { registerSchemaCommands } from './schema.commands.ts';
import { registerSearchCommands } from './search.commands.ts';
import { registerSeedCommands } from './seed.commands.ts';
import { serve } from './serve.command.ts';

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return parsed;
}

export function buildCli(config: () => Config): Command {
  const program = new Command('veza')
    .description('Veza Core: the backend and database of the Veza music platform')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('start the HTTP service (migrates first unless VEZA_MIGRATE_ON_START=false)')
    .action(() => serve(config()));

  registerDbCommands(program, config, nonNegativeInteger);
  registerJobsCommands(program, config);
  registerSchemaCommands(program, config);
  registerGdprCommands(program, config);
  registerSeedCommands(program, config);
  registerMarketCommands(program, config);
  registerSearchCommands(program, config);
  registerBackupCommands(program, config);
  return program;
}

async function main(): Promise<void> {
  const program = buildCli(() => loadConfig());
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code?.startsWith('commander.')) {
      process.exitCode = (error as { exitCode?: number }).exitCode ?? 2;
      return;
    }
    console.error(`veza: ${cliErrorMessage(error)}`);
    process.exitCode = 1;
  }
}

await main();
