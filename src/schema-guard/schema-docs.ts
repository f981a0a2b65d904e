import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../platform/project-root.ts';
import type { Catalog, Column, Constraint, Table } from './catalog.ts';

/** Where the committed schema pages live (GUIDE §8: generated artefacts are committed and drift-checked). */
export const SCHEMA_DOCS_DIR = join(projectRoot, 'docs', 'schema');

export const SCHEMA_DOCS_COMMAND = 'npm run veza -- schema docs';

const HEADER = `<!-- GENERATED — DO NOT EDIT. Made by \`${SCHEMA_DOCS_COMMAND}\` from the migrated schema. -->`;

/** Page titles are the spec's module names, so a reader can go from a page to its section. */
const MODULES: Record<string, { title: string; section: string | null }> = {
  auth: { title: 'Auth & Security', section: '§4' },
  profiles: { title: 'Users & Profiles', section: '§5' },
  files: { title: 'File Management', section: '§6' },
  streaming: { title: 'Audio Streaming', section: '§7' },
  chat: { title: 'Chat & Messaging', section: '§8' },
  social: { title: 'Social & Community', section: '§9' },
  marketplace: { title: 'Marketplace', section: '§10' },
  education: { title: 'Education', section: '§11' },
  hardware: { title: 'Hardware', section: '§12' },
  cloud: { title: 'Cloud Storage', section: '§13' },
  search: { title: 'Search', section: '§14' },
  analytics: { title: 'Analytics', section: '§15' },
  admin: { title: 'Administration', section: '§16' },
  notifications: { title: 'Notifications', section: null },
};

function moduleTitle(domain: string): string {
  return MODULES[domain]?.title ?? domain;
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/**
 * The schema pages for `catalog`: README.md (index, enums, composite types) and one `<domain>.md` per
 * module, keyed by file name. Deterministic, so the committed pages can be compared byte for byte.
 * Tables a domain lists but the catalog lacks are skipped; tables no domain owns appear on no module
 * page (the drift test reports them).
 */
export function renderSchemaDocs(catalog: Catalog, domains: Record<string, readonly string[]>): Map<string, string> {
  const tables = new Map(catalog.tables.map((table) => [table.name, table]));
  const owner = new Map<string, string>();
  for (const [domain, names] of Object.entries(domains)) for (const name of names) owner.set(name, domain);
  const context: RenderContext = {
    tables,
    owner,
    userTypes: new Set([...catalog.enums, ...catalog.compositeTypes].map((type) => type.name)),
  };

  const files = new Map<string, string>();
  files.set('README.md', renderIndex(catalog, domains, tables));
  for (const [domain, names] of Object.entries(domains)) {
    const owned = names.flatMap((name) => tables.get(name) ?? []).sort(byName);
    files.set(`${domain}.md`, renderModule(domain, owned, context));
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes the pages and removes any other *.md in `dir`, so a renamed or dropped module leaves no page behind. */
export async function writeSchemaDocs(files: Map<string, string>, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (entry.endsWith('.md') && !files.has(entry)) await rm(join(dir, entry));
  }
  for (const [name, content] of files) await writeFile(join(dir, name), content);
}

interface RenderContext {
  tables: ReadonlyMap<string, Table>;
  owner: ReadonlyMap<string, string>;
  userTypes: ReadonlySet<string>;
}

function renderIndex(catalog: Catalog, domains: Record<string, readonly string[]>, tables: Map<string, Table>): string {
  const lines = [
    HEADER,
    '',
    '# Veza database schema',
    '',
    'These pages are generated from the catalog of a fully migrated database (`pg_catalog`, not the migration ' +
      'files), one page per module of the spec, with the tables that module owns in `src/domains`. Partitions are ' +
      'omitted: their names follow the calendar and they inherit everything from their parent, which is documented ' +
      `with its partition key. After a migration, regenerate them with \`${SCHEMA_DOCS_COMMAND}\`; a test fails ` +
      'while they differ from the schema.',
    '',
    '## Modules',
    '',
  ];
  for (const [domain, names] of Object.entries(domains)) {
    const count = names.filter((name) => tables.has(name)).length;
    const section = MODULES[domain]?.section;
    lines.push(
      `- [${moduleTitle(domain)}](${domain}.md)${section ? ` (spec ${section})` : ''}: ${count} ${plural(count, 'table')}`,
    );
  }

  if (catalog.enums.length > 0) {
    lines.push('', '## Enums');
    for (const type of catalog.enums) {
      lines.push('', `### ${type.name}`, '');
      if (type.comment) lines.push(text(type.comment), '');
      lines.push(type.values.map((value) => code(value)).join(', '));
    }
  }
  if (catalog.compositeTypes.length > 0) {
    lines.push('', '## Composite types');
    for (const type of catalog.compositeTypes) {
      lines.push('', `### ${type.name}`, '');
      if (type.comment) lines.push(text(type.comment), '');
      lines.push('| attribute | type |', '|---|---|');
      for (const attribute of type.attributes) {
        const [name = '', ...rest] = attribute.split(' ');
        lines.push(row([name, code(rest.join(' '))]));
      }
    }
  }
  if (catalog.functions.length > 0) {
    lines.push('', '## Functions', '');
    for (const fn of catalog.functions) {
      lines.push(`- ${code(fn.signature)}${fn.comment ? `: ${text(fn.comment)}` : ''}`);
    }
  }
  if (catalog.views.length > 0) {
    lines.push('', '## Views', '');
    for (const view of catalog.views) {
      lines.push(`- ${code(view.name)}${view.materialized ? ' (materialized)' : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

function renderModule(domain: string, tables: Table[], context: RenderContext): string {
  const section = MODULES[domain]?.section;
  const lines = [
    HEADER,
    '',
    `# ${moduleTitle(domain)}`,
    '',
    [
      section ? `Spec ${section}` : null,
      `${tables.length} ${plural(tables.length, 'table')}`,
      '[all modules](README.md)',
    ]
      .filter((part) => part !== null)
      .join(' · '),
    '',
  ];
  for (const table of tables) lines.push(`- [${table.name}](#${table.name})`);

  lines.push('', '## Diagram', '', '```mermaid', ...renderDiagram(tables, context), '```');
  const crossLinks = tables.flatMap((table) =>
    foreignKeys(table)
      .filter((fk) => context.owner.get(fk.references.table) !== domain)
      .map((fk) => {
        const target = fk.references.table;
        const targetDomain = context.owner.get(target);
        const where = targetDomain
          ? `[${target}](${targetDomain}.md#${target}) (${moduleTitle(targetDomain)})`
          : target;
        const source =
          fk.columns.length === 1 ? `${table.name}.${fk.columns[0]}` : `${table.name} (${fk.columns.join(', ')})`;
        return `- ${code(source)} → ${where}, on delete ${fk.references.onDelete}`;
      }),
  );
  if (crossLinks.length > 0) {
    lines.push('', 'Links to tables of other modules (drawn in the diagram with their key only):', '', ...crossLinks);
  }

  for (const table of tables) lines.push('', ...renderTable(table, context));
  return lines.join('\n') + '\n';
}

function renderTable(table: Table, context: RenderContext): string[] {
  const lines = [`## ${table.name}`];
  if (table.comment) lines.push('', text(table.comment));
  if (table.partitionKey) {
    lines.push('', `Partitioned by ${code(table.partitionKey)}; its partitions are not documented.`);
  }

  lines.push('', '| column | type | nullable | default | comment |', '|---|---|---|---|---|');
  for (const column of table.columns) {
    const value =
      column.default === null
        ? ''
        : code(column.generated ? `GENERATED ALWAYS AS (${column.default}) STORED` : column.default);
    lines.push(
      row([
        code(column.name),
        columnType(column, context),
        column.notNull ? 'no' : 'yes',
        value,
        text(column.comment ?? ''),
      ]),
    );
  }

  if (table.constraints.length > 0) {
    lines.push('', '| constraint | kind | definition |', '|---|---|---|');
    for (const constraint of table.constraints) {
      lines.push(row([code(constraint.name), constraint.kind, code(constraint.definition)]));
    }
  }
  if (table.indexes.length > 0) {
    lines.push('', '| index | definition |', '|---|---|');
    for (const index of table.indexes) {
      lines.push(row([code(index.name), code(indexDefinition(index.definition, index.unique))]));
    }
  }
  if (table.triggers.length > 0) {
    lines.push('', '| trigger | definition |', '|---|---|');
    for (const trigger of table.triggers) {
      lines.push(row([code(trigger.name), code(trigger.definition.replace(/^CREATE (CONSTRAINT )?TRIGGER \S+ /, ''))]));
    }
  }
  return lines;
}

/** Links an enum or composite column type to its description on the index page. */
function columnType(column: Column, context: RenderContext): string {
  const base = column.type.replace(/(\[\])+$/, '');
  return context.userTypes.has(base) ? `[${code(column.type)}](README.md#${base})` : code(column.type);
}

/** `btree (email)` rather than the full CREATE INDEX, whose name and table the row already gives. */
function indexDefinition(definition: string, unique: boolean): string {
  const match = /^CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ USING (.*)$/s.exec(definition);
  if (!match?.[1]) return definition;
  return `${unique ? 'UNIQUE ' : ''}${match[1]}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Mermaid

type ForeignKey = Constraint & { references: NonNullable<Constraint['references']> };

function foreignKeys(table: Table): ForeignKey[] {
  return table.constraints.filter(
    (constraint): constraint is ForeignKey => constraint.kind === 'foreign key' && constraint.references !== null,
  );
}

function primaryKey(table: Table): string[] {
  return table.constraints.find((constraint) => constraint.kind === 'primary key')?.columns ?? [];
}

/** Column sets no two rows share: the primary key, UNIQUE constraints and full (non-partial) unique indexes on columns. */
function uniqueColumnSets(table: Table): string[][] {
  const columns = new Set(table.columns.map((column) => column.name));
  return [
    ...table.constraints
      .filter((constraint) => constraint.kind === 'primary key' || constraint.kind === 'unique')
      .map((constraint) => constraint.columns),
    ...table.indexes
      .filter((index) => index.unique && index.predicate === null && index.keys.every((key) => columns.has(key)))
      .map((index) => index.keys),
  ];
}

function renderDiagram(tables: Table[], context: RenderContext): string[] {
  const lines = ['erDiagram'];
  for (const table of tables) {
    const pk = new Set(primaryKey(table));
    const fk = new Set(foreignKeys(table).flatMap((constraint) => constraint.columns));
    const uk = new Set(
      uniqueColumnSets(table)
        .filter((set) => set.length === 1)
        .flat(),
    );
    lines.push(`  ${table.name} {`);
    for (const column of table.columns) {
      const keys = [
        pk.has(column.name) && 'PK',
        fk.has(column.name) && 'FK',
        !pk.has(column.name) && uk.has(column.name) && 'UK',
      ];
      const markers = keys.filter((key) => key !== false).join(', ');
      lines.push(`    ${mermaidType(column.type)} ${column.name}${markers ? ` ${markers}` : ''}`);
    }
    lines.push('  }');
  }

  // A relationship needs both ends declared, so a table of another module appears with just the columns referenced.
  const declared = new Set(tables.map((table) => table.name));
  const external = new Map<string, Set<string>>();
  for (const table of tables) {
    for (const fk of foreignKeys(table)) {
      if (declared.has(fk.references.table)) continue;
      const referenced = external.get(fk.references.table) ?? new Set<string>();
      for (const column of fk.references.columns) referenced.add(column);
      external.set(fk.references.table, referenced);
    }
  }
  for (const [name, referenced] of [...external].sort(([a], [b]) => a.localeCompare(b))) {
    const target = context.tables.get(name);
    const pk = new Set(target ? primaryKey(target) : []);
    const columns = target
      ? target.columns.filter((column) => referenced.has(column.name))
      : [...referenced].map((column) => ({ name: column, type: 'unknown' }));
    lines.push(`  ${name} {`);
    for (const column of columns) {
      lines.push(`    ${mermaidType(column.type)} ${column.name}${pk.has(column.name) ? ' PK' : ''}`);
    }
    lines.push('  }');
  }

  for (const table of tables) {
    const notNull = new Map(table.columns.map((column) => [column.name, column.notNull]));
    const pk = new Set(primaryKey(table));
    const unique = uniqueColumnSets(table);
    for (const fk of foreignKeys(table)) {
      const optional = fk.columns.some((column) => !notNull.get(column));
      const oneToOne = unique.some((set) => set.length > 0 && set.every((column) => fk.columns.includes(column)));
      const identifying = fk.columns.every((column) => pk.has(column));
      const cardinality = `${optional ? '|o' : '||'}${identifying ? '--' : '..'}${oneToOne ? 'o|' : 'o{'}`;
      lines.push(`  ${fk.references.table} ${cardinality} ${table.name} : "${fk.columns.join(', ')}"`);
    }
  }
  return lines;
}

const SHORT_TYPES: Record<string, string> = {
  'character varying': 'varchar',
  character: 'char',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  'double precision': 'float8',
  'bit varying': 'varbit',
};

/**
 * A Mermaid attribute type is one word: `timestamp with time zone` breaks the diagram, and type modifiers only
 * crowd it, so both go (the column table below the diagram keeps the exact type).
 */
export function mermaidType(type: string): string {
  const arrays = /(\[\])*$/.exec(type)?.[0] ?? '';
  const base = type
    .slice(0, type.length - arrays.length)
    .replace(/\([^)]*\)/g, '')
    .replaceAll('"', '')
    .replace(/\s+/g, ' ')
    .trim();
  const word = (SHORT_TYPES[base] ?? base).replace(/[^A-Za-z0-9_]/g, '_');
  return `${/^[A-Za-z]/.test(word) ? word : `t_${word}`}${arrays}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

/** Free text in a table cell or paragraph: one line, and no `<` that markdown would take for HTML. */
function text(value: string): string {
  return value.replace(/\s*\r?\n\s*/g, ' ').replaceAll('<', '&lt;');
}

/** A code span long enough to hold any backticks inside it. */
function code(value: string): string {
  const flat = value.replace(/\s*\r?\n\s*/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** GFM splits cells on every unescaped `|`, even inside code spans. */
function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}
