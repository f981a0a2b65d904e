import { Type, type Static } from 'typebox';

/** One broken rule of a request: which field, which rule, in words. */
export const ProblemFieldSchema = Type.Object({
  field: Type.String({ description: 'JSON pointer-like path of the offending input, e.g. body.email, query.limit' }),
  rule: Type.String({
    description: 'The rule broken: a JSON Schema keyword (format, maxLength…) or a constraint name',
  }),
  message: Type.String(),
});
export type ProblemField = Static<typeof ProblemFieldSchema>;

/** RFC 9457 problem details, plus a stable machine code and the request id. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'urn:veza:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code, e.g. VALIDATION_FAILED, EMAIL_TAKEN' }),
    request_id: Type.String(),
    errors: Type.Optional(Type.Array(ProblemFieldSchema)),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);
export type Problem = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An error the API reports as problem details. Domains declare theirs in `<domain>.errors.ts`
 * as constants built with `problemType`, so codes stay stable and documented.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: ProblemField[] | undefined;

  constructor(type: ProblemType, detail?: string, errors?: ProblemField[]) {
    super(detail ?? type.title);
    this.name = 'ApiError';
    this.status = type.status;
    this.code = type.code;
    this.title = type.title;
    this.errors = errors;
  }
}

export interface ProblemType {
  code: string;
  status: number;
  title: string;
}

export function problemType(code: string, status: number, title: string): ProblemType {
  return { code, status, title };
}

/** Problems any route can answer; domain-specific ones live in each domain's errors file. */
export const CommonProblems = {
  validationFailed: problemType('VALIDATION_FAILED', 400, 'The request does not satisfy the API contract'),
  malformedBody: problemType('MALFORMED_BODY', 400, 'The request body could not be parsed'),
  unauthenticated: problemType('UNAUTHENTICATED', 401, 'Authentication is required'),
  forbidden: problemType('FORBIDDEN', 403, 'You may not do this'),
  notFound: problemType('NOT_FOUND', 404, 'No such resource'),
  methodNotAllowed: problemType('METHOD_NOT_ALLOWED', 405, 'This resource does not support this method'),
  conflict: problemType('CONFLICT', 409, 'The request conflicts with the current state'),
  payloadTooLarge: problemType('PAYLOAD_TOO_LARGE', 413, 'The request body is too large'),
  unsupportedMediaType: problemType('UNSUPPORTED_MEDIA_TYPE', 415, 'The request body has an unsupported media type'),
  tooManyRequests: problemType('TOO_MANY_REQUESTS', 429, 'Too many requests'),
  unavailable: problemType('SERVICE_UNAVAILABLE', 503, 'The service is busy; try again'),
  internal: problemType('INTERNAL_ERROR', 500, 'Something went wrong on our side'),
} as const;

export function problemUri(code: string): string {
  return `urn:veza:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
