// Error catalogue of the gear domain (issue 17 §6-8, ADR 0079): equipment, warranties, maintenance, categories, the
// CSV import and the public setup page. Stable codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const GearProblems = {
  /** No such item, or someone else's: the owner alone knows an item exists (ADR 0079). */
  gearNotFound: problemType('GEAR_NOT_FOUND', 404, 'No such equipment'),
  /** No such warranty on this item. */
  warrantyNotFound: problemType('WARRANTY_NOT_FOUND', 404, 'No such warranty'),
  /** No such maintenance entry on this item. */
  maintenanceNotFound: problemType('MAINTENANCE_NOT_FOUND', 404, 'No such maintenance entry'),
  /** No such category. */
  categoryNotFound: problemType('GEAR_CATEGORY_NOT_FOUND', 404, 'No such equipment category'),
  /** uq_equipment_categories_name / _slug: another category has this name or slug. */
  categoryTaken: problemType('GEAR_CATEGORY_TAKEN', 409, 'Another category has this name or slug'),
  /** fk_equipment_equipment_categories is RESTRICT: equipment is filed under it (deleted items included). */
  categoryInUse: problemType('GEAR_CATEGORY_IN_USE', 409, 'Equipment is filed under this category'),
  /** A value breaks a rule no schema can say: a category that does not exist, an end before a start, 31 February. */
  invalid: problemType('GEAR_VALUE_INVALID', 422, 'A value breaks a rule of equipment records'),
  /** A photo or document named is not the caller's own live, scanned-clean file (of the right kind). */
  fileUnusable: problemType('GEAR_FILE_UNUSABLE', 422, 'This file cannot be attached'),
  /** The CSV could not be read, or rows break rules: `errors` lists record number, column and rule. */
  csvInvalid: problemType('GEAR_CSV_INVALID', 422, 'The CSV file has errors; nothing was imported'),
  /** More data rows than one import takes (ADR 0079: 5,000). */
  csvTooManyRows: problemType('GEAR_CSV_TOO_MANY_ROWS', 422, 'The CSV file has too many rows'),
  /** Not UTF-8 (with or without a byte order mark): UTF-16, Latin-1 and the like are refused, never guessed. */
  csvEncoding: problemType('GEAR_CSV_ENCODING', 415, 'The CSV file must be UTF-8'),
  /** No public setup page here: none, turned off, a private profile, a block, or an account that is gone. */
  setupNotFound: problemType('SETUP_NOT_FOUND', 404, 'No such setup page'),
} as const;
