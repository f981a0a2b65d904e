import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import mermaid from 'mermaid';
import { useMigratedDatabase } from '../../test/helpers/database.ts';
import { tablesByDomain } from '../domains/table-ownership.ts';
import { readCatalog, type Catalog, type Table } from './catalog.ts';
import { mermaidType, renderSchemaDocs, SCHEMA_DOCS_COMMAND, SCHEMA_DOCS_DIR, writeSchemaDocs } from './schema-docs.ts';

const database = useMigratedDatabase();
let catalog: Catalog;
let rendered: Map<string, string>;

async function committedDocs(): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = (await readdir(SCHEMA_DOCS_DIR)).filter((name) => name.endsWith('.md')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return new Map(
    await Promise.all(names.map(async (name) => [name, await readFile(join(SCHEMA_DOCS_DIR, name), 'utf8')] as const)),
  );
}

const modulePages = () => [...rendered].filter(([name]) => name !== 'README.md');

/** The body of the page's one ```mermaid block. */
function diagramOf(page: string, name: string): string {
  const blocks = [...page.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)];
  assert.equal(blocks.length, 1, `${name} has exactly one mermaid block`);
  return blocks[0]?.[1] ?? '';
}

const ENTITY = /^ {2}([A-Za-z_][\w-]*) \{$/;
const ATTRIBUTE = /^ {4}[A-Za-z][\w()[\]-]* [A-Za-z_]\w*( (PK|FK|UK)(, (PK|FK|UK))*)?$/;
const RELATIONSHIP = /^ {2}(\S+) (\|o|\|\|)(--|\.\.)(o\||o\{) (\S+) : "[^"]*"$/;

describe('docs/schema', () => {
  // Inside the suite, so that it runs after useMigratedDatabase's own hook has created the database.
  before(async () => {
    catalog = await readCatalog(database.current.sql);
    rendered = renderSchemaDocs(catalog, tablesByDomain);
  });

  test('the committed pages are exactly what the migrated schema renders to', async () => {
    const committed = await committedDocs();
    const differing = [...new Set([...committed.keys(), ...rendered.keys()])]
      .sort()
      .filter((name) => committed.get(name) !== rendered.get(name));
    assert.deepEqual(
      differing,
      [],
      `docs/schema/ is stale (${differing.join(', ')} missing, extra or different): run \`${SCHEMA_DOCS_COMMAND}\``,
    );
  });

  test('every table is documented on exactly one module page, and only tables are', () => {
    const documented = new Map<string, string[]>();
    for (const [name, page] of modulePages()) {
      for (const [, heading = ''] of page.matchAll(/^## (.+)$/gm)) {
        if (heading === 'Diagram') continue;
        documented.set(heading, [...(documented.get(heading) ?? []), name]);
      }
    }
    for (const table of catalog.tables) {
      assert.equal(
        documented.get(table.name)?.length,
        1,
        `${table.name} is on ${documented.get(table.name)?.join(', ') ?? 'no page'}`,
      );
    }
    const tables = new Set(catalog.tables.map((table) => table.name));
    assert.deepEqual(
      [...documented.keys()].filter((heading) => !tables.has(heading)),
      [],
      'headings that name no table',
    );
  });

  test('each module page has an erDiagram whose relationships join only entities it declares', () => {
    const tables = new Map(catalog.tables.map((table) => [table.name, table]));
    for (const [name, page] of modulePages()) {
      const lines = diagramOf(page, name).trimEnd().split('\n');
      assert.equal(lines[0], 'erDiagram', name);
      const declared = new Set<string>();
      const related: string[][] = [];
      let inEntity = false;
      for (const line of lines.slice(1)) {
        const entity = ENTITY.exec(line);
        if (entity?.[1]) {
          declared.add(entity[1]);
          inEntity = true;
        } else if (line === '  }') {
          inEntity = false;
        } else if (inEntity) {
          assert.match(line, ATTRIBUTE, `${name}: attribute line`);
        } else {
          const relationship = RELATIONSHIP.exec(line);
          assert.ok(relationship, `${name}: unexpected diagram line ${JSON.stringify(line)}`);
          related.push([relationship[1] ?? '', relationship[5] ?? '']);
        }
      }
      const undeclared = related.flat().filter((entity) => !declared.has(entity));
      assert.deepEqual(undeclared, [], `${name}: relationships name undeclared entities`);

      const owned = (tablesByDomain[name.replace(/\.md$/, '') as keyof typeof tablesByDomain] ?? [])
        .map((table) => tables.get(table))
        .filter((table): table is Table => table !== undefined);
      const foreignKeys = owned.flatMap((table) =>
        table.constraints.filter((constraint) => constraint.kind === 'foreign key'),
      );
      assert.equal(related.length, foreignKeys.length, `${name}: one relationship per foreign key`);
      for (const table of owned) assert.ok(declared.has(table.name), `${name}: ${table.name} is drawn`);
    }
  });

  test('Mermaid itself parses every diagram', async () => {
    for (const [name, page] of modulePages()) {
      const result = await mermaid.parse(diagramOf(page, name));
      assert.ok(result, name);
      assert.equal(result.diagramType, 'er', name);
    }
  });
});

describe('rendering details', () => {
  test('Mermaid types lose the modifiers and spaces Mermaid cannot read', () => {
    assert.equal(mermaidType('numeric(10,2)'), 'numeric');
    assert.equal(mermaidType('character varying(50)[]'), 'varchar[]');
    assert.equal(mermaidType('timestamp(3) with time zone'), 'timestamptz');
    assert.equal(mermaidType('"char"'), 'char');
    assert.equal(mermaidType('bit varying(8)'), 'varbit');
  });

  test('a | in a definition or comment stays inside its table cell', () => {
    const table: Table = {
      name: 'pipes',
      partitioned: true,
      partitionKey: 'RANGE (created_at)',
      comment: 'a <b> table',
      columns: [
        { name: 'id', type: 'uuid', notNull: true, default: null, generated: false, comment: 'either | or' },
        { name: 'code', type: 'text', notNull: false, default: "'a'::text || 'b'", generated: true, comment: null },
      ],
      constraints: [
        {
          name: 'chk_pipes_code',
          kind: 'check',
          columns: ['code'],
          definition: "CHECK ((code ~ '^(a|b)$'))",
          references: null,
        },
      ],
      indexes: [],
      triggers: [],
    };
    const page = renderSchemaDocs(
      { tables: [table], enums: [], compositeTypes: [], functions: [], views: [], extensions: [] },
      { misc: ['pipes'] },
    ).get('misc.md');
    assert.ok(page);
    const cells = (line: string) => line.split(/(?<!\\)\|/).length - 2;
    const rows = page.split('\n').filter((line) => line.startsWith('| `'));
    assert.deepEqual(rows.map(cells), [5, 5, 3], 'two column rows of five cells, one constraint row of three');
    assert.ok(page.includes("`GENERATED ALWAYS AS ('a'::text \\|\\| 'b') STORED`"));
    assert.ok(page.includes('a &lt;b> table'));
    assert.ok(page.includes('Partitioned by `RANGE (created_at)`'));
  });

  test('writing removes the pages of modules that are gone, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'veza-schema-docs-'));
    try {
      await writeFile(join(dir, 'dropped.md'), 'old');
      await writeFile(join(dir, 'notes.txt'), 'kept');
      await writeSchemaDocs(new Map([['README.md', 'index\n']]), dir);
      assert.deepEqual((await readdir(dir)).sort(), ['README.md', 'notes.txt']);
      assert.equal(await readFile(join(dir, 'README.md'), 'utf8'), 'index\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
