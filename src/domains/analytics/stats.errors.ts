// Error catalogue of the statistics routes (issue 18 §6-7, 10; ADR 0093). Stable codes, rendered as RFC 9457
// problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const StatsProblems = {
  /** `from`/`to` are not real days, are reversed, or span more than the longest range served. */
  rangeInvalid: problemType('STATS_RANGE_INVALID', 400, 'This date range is not valid'),
  /** The track, product or course does not exist, is deleted, or is not the caller's (the same answer). */
  notFound: problemType('STATS_NOT_FOUND', 404, 'No such track, product or course of yours'),
} as const;
