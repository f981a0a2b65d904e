// `npm run db:types`: migrates the configured database (DATABASE_URL, else the embedded one)
// and regenerates src/platform/db/db.generated.ts from it.
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/platform/config/config.ts';
import { Migrator } from '../src/platform/db/migrations.ts';
import { withConfiguredDatabase } from '../src/cli/with-configured-database.ts';
import { GENERATED_TYPES_FILE, generateDbTypes } from './db-types.ts';

await withConfiguredDatabase(loadConfig(), async (url) => {
  await new Migrator(url).migrate();
  await writeFile(GENERATED_TYPES_FILE, await generateDbTypes(url));
});
console.log(`wrote ${GENERATED_TYPES_FILE}`);
