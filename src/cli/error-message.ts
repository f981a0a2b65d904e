/**
 * The text `veza` prints for a failed command. PostgreSQL puts what to do about an error in its DETAIL and HINT
 * fields (e.g. "You might need to increase max_locks_per_transaction."), which node-postgres and postgres.js both
 * expose as `detail` and `hint` but leave out of `message`; a connection refused on every address arrives as an
 * AggregateError with an empty message.
 */
export function cliErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = [error.message || error.name];
  if (error instanceof AggregateError && !error.message) {
    lines[0] = [...new Set(error.errors.map((inner: unknown) => cliErrorMessage(inner)))].join('; ');
  }
  const { detail, hint } = error as { detail?: unknown; hint?: unknown };
  if (typeof detail === 'string' && detail) lines.push(`detail: ${detail}`);
  if (typeof hint === 'string' && hint) lines.push(`hint: ${hint}`);
  return lines.join('\n');
}
