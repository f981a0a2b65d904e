// Error catalogue of the search domain (issue 18 §1-4; ADR 0088). Stable codes, rendered as RFC 9457 problem
// details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const SearchProblems = {
  /** The cursor is not one this endpoint wrote, or points past the last page it serves (ADR 0088). */
  cursorInvalid: problemType('SEARCH_CURSOR_INVALID', 400, 'This search cursor is not valid'),
} as const;
