import type { Row } from '../../factories/insert-row.ts';

/**
 * A row that a CHECK constraint (or an expression/partial unique index) must reject.
 * `bad` overrides the factory's valid row; when `first` is given, a row built from `first`
 * is inserted before, and `bad` must then collide with it.
 */
export interface CheckCase {
  table: string;
  constraint: string;
  bad: Row;
  first?: Row;
}
