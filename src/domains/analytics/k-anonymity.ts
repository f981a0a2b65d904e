// The k-anonymity rule of every statistic the analytics domain publishes (issue 18 §7, ADR 0093). Pure functions:
// the repositories hand over stored cells (events and the exact number of distinct people behind them, counted at
// aggregation time), and only what these functions return leaves the service.

/** The floor of k: configuration may raise it, never lower it (ADR 0093). */
export const MIN_K = 5;

/** The label of the merged cell of a breakdown; not a value any dimension stores. */
export const OTHER = 'other';

/** Refuses a k under the floor, so that a mistyped setting stops the server instead of exposing small groups. */
export function checkedK(k: number | undefined): number {
  const value = k ?? MIN_K;
  if (!Number.isInteger(value) || value < MIN_K) {
    throw new Error(`analytics k-anonymity threshold must be an integer of at least ${MIN_K}, got ${String(k)}`);
  }
  return value;
}

/** One stored cell: a count of events and the exact number of distinct people behind them. */
export interface StoredCell {
  value: string;
  events: number;
  people: number;
}

/** A published cell. `people` is null for the merged cell: the union of its members is not counted anywhere. */
export interface PublishedCell {
  value: string;
  events: number;
  people: number | null;
}

/**
 * Publishes one breakdown (one entity, one day, one dimension): cells of fewer than k people are merged into
 * `other`. Since the day's total is published too, the merged cell could be recomputed from it: so `other` itself
 * must describe k people. Only a lower bound of a union's people is known (its largest member's), and every merged
 * cell is under k, so the smallest published cell always joins them (complementary suppression). When there is
 * no cell to add, nothing of the breakdown is published. `other` carries no people count.
 */
export function publishBreakdown(cells: readonly StoredCell[], k: number): PublishedCell[] {
  const kept = cells
    .filter((cell) => cell.people >= k)
    .sort((a, b) => a.people - b.people || a.events - b.events || a.value.localeCompare(b.value));
  const merged = cells.filter((cell) => cell.people < k && cell.events > 0);
  if (merged.length > 0) {
    const smallest = kept.shift();
    if (!smallest) return [];
    merged.push(smallest);
  }
  const published: PublishedCell[] = kept
    .map((cell) => ({ value: cell.value, events: cell.events, people: cell.people }))
    .sort((a, b) => a.value.localeCompare(b.value));
  if (merged.length > 0) {
    published.push({ value: OTHER, events: merged.reduce((sum, cell) => sum + cell.events, 0), people: null });
  }
  return published;
}

/**
 * Totals of a range, per value, as sums of the published cells only: a total over days 1-7 minus a total over
 * days 1-6 is then day 7's published cell, or 0 when day 7 was suppressed, never a figure that was withheld.
 */
export function sumPublished(
  days: readonly { cells: readonly PublishedCell[] }[],
): { value: string; events: number }[] {
  const totals = new Map<string, number>();
  for (const day of days)
    for (const cell of day.cells) totals.set(cell.value, (totals.get(cell.value) ?? 0) + cell.events);
  return [...totals].map(([value, events]) => ({ value, events })).sort((a, b) => a.value.localeCompare(b.value));
}
