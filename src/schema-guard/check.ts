import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../platform/project-root.ts';
import type { Catalog } from './catalog.ts';
import { RULES, type RuleId, type TableLifecycleFacts, type Violation } from './rules.ts';

/** A violation the reviewers accepted, with why. All of them live in db/schema-exceptions.json. */
export interface SchemaException {
  rule: RuleId;
  object: string;
  reason: string;
}

export const EXCEPTIONS_FILE = join(projectRoot, 'db', 'schema-exceptions.json');

export function loadExceptions(path: string = EXCEPTIONS_FILE): SchemaException[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${path} must hold an array of exceptions`);
  const ruleIds = new Set<string>(RULES.map((rule) => rule.id));
  return parsed.map((entry: unknown, index) => {
    const { rule, object, reason, ...rest } = (entry ?? {}) as Record<string, unknown>;
    const where = `${path} entry ${index}`;
    if (Object.keys(rest).length > 0) throw new Error(`${where}: unknown field ${Object.keys(rest).join(', ')}`);
    if (typeof rule !== 'string' || !ruleIds.has(rule))
      throw new Error(`${where}: rule must be one of ${[...ruleIds].join(', ')}`);
    if (typeof object !== 'string' || object === '')
      throw new Error(`${where}: object must name a table, column or constraint`);
    if (typeof reason !== 'string' || reason.trim().length < 10) throw new Error(`${where}: reason must say why`);
    return { rule: rule as RuleId, object, reason };
  });
}

export interface CheckResult {
  violations: Violation[];
  /** Declared exceptions that no longer match anything: the file must stay honest. */
  staleExceptions: SchemaException[];
}

export function checkSchema(
  catalog: Catalog,
  registry: ReadonlyMap<string, TableLifecycleFacts>,
  exceptions: SchemaException[] = [],
): CheckResult {
  const all = RULES.flatMap((rule) => rule.check({ catalog, registry }));
  const excused = (violation: Violation) =>
    exceptions.some((exception) => exception.rule === violation.rule && exception.object === violation.object);
  return {
    violations: all.filter((violation) => !excused(violation)),
    staleExceptions: exceptions.filter(
      (exception) =>
        !all.some((violation) => violation.rule === exception.rule && violation.object === exception.object),
    ),
  };
}

export function formatViolation(violation: Violation): string {
  return `${violation.rule.padEnd(18)} ${violation.object}: ${violation.message}`;
}
