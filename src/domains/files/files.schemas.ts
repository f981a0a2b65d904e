// The owner API and delivery contract of the files domain (issue 12 §5, §7): TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

const closed = { additionalProperties: false } as const;
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const FileIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, closed);

export const FileListQuerySchema = PageQuerySchema;
export type FileListQuery = Static<typeof FileListQuerySchema>;

const ProcessingStatus = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('processing'),
    Type.Literal('processed'),
    Type.Literal('failed'),
    Type.Literal('quarantined'),
  ],
  { description: 'processed, failed and quarantined are final' },
);
const ScanVerdict = Type.Union(
  [Type.Literal('pending'), Type.Literal('clean'), Type.Literal('infected'), Type.Literal('unscanned')],
  {
    description: 'unscanned: no virus scanner is installed (such files are served to their owner only in production)',
  },
);

export const FileSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  original_filename: Type.String({ description: 'Display name, sanitised at upload' }),
  mime_type: Type.String({ description: 'From the content, never from the client' }),
  size: Type.Integer({ minimum: 1 }),
  is_public: Type.Boolean(),
  sha256: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  created_at: Timestamp,
  processing_status: ProcessingStatus,
  scan: ScanVerdict,
  content_url: Type.String({ description: 'GET it with your bearer token (or ask for a signed link)' }),
});
export type FileSummary = Static<typeof FileSummarySchema>;

export const FileListSchema = PageSchema(FileSummarySchema);

const StepStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('done'),
  Type.Literal('skipped'),
  Type.Literal('failed'),
]);

export const FileDetailSchema = Type.Object({
  ...FileSummarySchema.properties,
  processing: Type.Object({
    status: ProcessingStatus,
    steps: Type.Record(Type.String(), StepStatus),
    scan: ScanVerdict,
    virus_signature: Nullable(Type.String({ description: 'What the scanner found, when quarantined' })),
    error: Nullable(Type.String({ description: 'Why processing failed, in a sentence' })),
    processed_at: Nullable(Timestamp),
  }),
  metadata: Nullable(
    Type.Object({
      title: Nullable(Type.String()),
      artist: Nullable(Type.String()),
      album: Nullable(Type.String()),
      genre: Nullable(Type.String()),
      year: Nullable(Type.Integer()),
      duration_seconds: Nullable(Type.Integer()),
      bitrate_kbps: Nullable(Type.Integer()),
      sample_rate: Nullable(Type.Integer()),
      channels: Nullable(Type.Integer()),
      codec: Nullable(Type.String()),
      width: Nullable(Type.Integer()),
      height: Nullable(Type.Integer()),
      format: Nullable(Type.String()),
    }),
  ),
  renditions: Type.Array(
    Type.Object({
      file_id: Nullable(Type.String({ format: 'uuid', description: 'The rendition, served like any file' })),
      format: Type.String(),
      quality: Nullable(Type.String()),
      status: Type.String(),
      progress: Type.Integer({ minimum: 0, maximum: 100 }),
      error: Nullable(Type.String()),
      completed_at: Nullable(Timestamp),
    }),
  ),
});
export type FileDetail = Static<typeof FileDetailSchema>;

export const PreferWaitHeaders = Type.Object({
  prefer: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'RFC 7240 `wait=N` (seconds, at most 30): answer once processing has ended or N seconds have passed',
    }),
  ),
});

export const SignedLinkRequestSchema = Type.Object(
  {
    ttl_seconds: Type.Integer({ minimum: 60, maximum: 86_400, default: 3600, description: 'How long the link works' }),
  },
  closed,
);
export type SignedLinkRequest = Static<typeof SignedLinkRequestSchema>;

export const SignedLinkSchema = Type.Object({
  url: Type.String({ description: 'Path and query of the content with its signature; no token needed' }),
  expires_at: Timestamp,
});
export type SignedLink = Static<typeof SignedLinkSchema>;

export const ContentQuerySchema = Type.Object(
  {
    expires: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'Of a signed link' })),
    signature: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'Of a signed link' })),
  },
  closed,
);
export type ContentQuery = Static<typeof ContentQuerySchema>;

export const ContentHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 2000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
});
