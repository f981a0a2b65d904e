// `node scripts/write-schema-docs.ts <database-url>`: rewrites docs/schema/ from that database, which must be
// fully migrated (the catalog is read as it is; nothing is migrated here).
import postgres from 'postgres';
import { tablesByDomain } from '../src/domains/table-ownership.ts';
import { readCatalog } from '../src/schema-guard/catalog.ts';
import { renderSchemaDocs, SCHEMA_DOCS_DIR, writeSchemaDocs } from '../src/schema-guard/schema-docs.ts';

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/write-schema-docs.ts <database-url>');
  process.exit(2);
}

const sql = postgres(url, { max: 4, onnotice: () => {} });
try {
  const files = renderSchemaDocs(await readCatalog(sql), tablesByDomain);
  await writeSchemaDocs(files, SCHEMA_DOCS_DIR);
  console.log(`wrote ${files.size} files to ${SCHEMA_DOCS_DIR}`);
} finally {
  await sql.end();
}
