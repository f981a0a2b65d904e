import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../src/platform/project-root.ts';

export const GENERATED_TYPES_FILE = join(projectRoot, 'src', 'platform', 'db', 'db.generated.ts');

const HEADER = `// GENERATED — DO NOT EDIT. Made by \`npm run db:types\` (kysely-codegen) from the migrated schema.
`;

/** The Kysely table types of the schema at `url` (which must be fully migrated), as file content. */
export async function generateDbTypes(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(projectRoot, 'node_modules', 'kysely-codegen', 'dist', 'cli', 'bin.js'),
      '--dialect',
      'postgres',
      '--url',
      url,
      '--include-pattern',
      'public.*',
      '--log-level',
      'error',
      '--print',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return HEADER + stdout.replace(/^\s+/, '');
}
