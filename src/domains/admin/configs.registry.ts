// The registry of system settings (issue 18 §13, spec §16 `system_configs`; ADR 0096). A key exists only here, in
// code, with its JSON schema, its default and whether clients may read it: the table holds the values an admin
// changed, never a key the code does not know (its value could not be validated, and nothing would read it).
import { Compile } from 'typebox/compile';
import { Type, type Static, type TSchema } from 'typebox';
import { Line } from '../../platform/http/schema-primitives.ts';

export interface ConfigKey<S extends TSchema = TSchema> {
  key: string;
  description: string;
  schema: S;
  default: Static<S>;
  /** Readable by anyone, signed in or not (GET /v1/configs/public): never anything an attacker could use. */
  isPublic: boolean;
}

function configKey<S extends TSchema>(definition: ConfigKey<S>): ConfigKey<S> {
  return definition;
}

/** k-anonymity (issue 18 §7): 5 is the floor the spec allows; an admin may only raise it. */
export const K_ANONYMITY_FLOOR = 5;

export const CONFIG_KEYS = {
  registrationOpen: configKey({
    key: 'auth.registration_open',
    description:
      'Whether new accounts may be created (POST /v1/auth/register, POST /v1/auth/oidc/complete-registration). ' +
      'When false both answer 403 REGISTRATION_CLOSED; existing accounts log in as before.',
    schema: Type.Boolean(),
    default: true,
    isPublic: true,
  }),
  kAnonymityThreshold: configKey({
    key: 'analytics.k_anonymity_threshold',
    description:
      'Smallest number of distinct people a creator statistic may describe; smaller cells are suppressed ' +
      `(issue 18 §7). At least ${K_ANONYMITY_FLOOR}: it can only be raised above the spec's floor.`,
    schema: Type.Integer({ minimum: K_ANONYMITY_FLOOR, maximum: 1000 }),
    default: K_ANONYMITY_FLOOR,
    isPublic: false,
  }),
  maintenanceBanner: configKey({
    key: 'platform.maintenance_banner',
    description: 'A short notice the client applications show on every page (planned maintenance), or null for none.',
    // One line without control characters: jsonb refuses NUL, and a banner is one line.
    schema: Type.Union([Line(280), Type.Null()]),
    default: null,
    isPublic: true,
  }),
} as const;

export type ConfigKeyName = (typeof CONFIG_KEYS)[keyof typeof CONFIG_KEYS]['key'];

const byName = new Map<string, ConfigKey>(Object.values(CONFIG_KEYS).map((entry) => [entry.key, entry]));
const checkers = new Map([...byName].map(([name, entry]) => [name, Compile(entry.schema)]));

export function configKeyNamed(name: string): ConfigKey | undefined {
  return byName.get(name);
}

export function allConfigKeys(): ConfigKey[] {
  return [...byName.values()];
}

export interface ValueProblem {
  /** Where in the value, as a JSON pointer ('' for the value itself). */
  path: string;
  /** The JSON Schema keyword broken (type, minimum, maxLength…). */
  rule: string;
  message: string;
}

/** The rules `value` breaks for the key, empty when it is valid. The key must be registered. */
export function configValueProblems(name: string, value: unknown): ValueProblem[] {
  const checker = checkers.get(name);
  if (!checker) throw new Error(`unregistered config key ${name}`);
  if (checker.Check(value)) return [];
  const errors = [...checker.Errors(value)];
  // A union's own "anyOf" error says nothing the branch errors do not; keep it only when it is alone.
  const specific = errors.filter((error) => error.keyword !== 'anyOf');
  return (specific.length > 0 ? specific : errors).slice(0, 10).map((error) => ({
    path: error.instancePath,
    rule: error.keyword,
    message: error.message,
  }));
}

/** A stored value that no longer fits its schema (a key whose schema was tightened) reads as the default. */
export function effectiveConfigValue(name: string, stored: unknown): unknown {
  const entry = byName.get(name);
  if (!entry) return undefined;
  if (stored === undefined) return entry.default;
  return checkers.get(name)!.Check(stored) ? stored : entry.default;
}
