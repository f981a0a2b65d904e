// The contract of statistics exports (issue 18 §8; ADR 0094): asking for a report, following it from pending to
// completed, downloading it, deleting it.
import { Type, type Static } from 'typebox';
import { closed, literals, Line, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';

/** What a creator may export: figures of their own tracks and sales. */
export const CREATOR_REPORT_TYPES = ['track_performance', 'sales'] as const;
/** Platform-wide reports: administrators only. */
export const ADMIN_REPORT_TYPES = ['platform_activity', 'user_growth', 'moderation'] as const;
export const REPORT_TYPES = [...CREATOR_REPORT_TYPES, ...ADMIN_REPORT_TYPES] as const;
export type ReportType = (typeof REPORT_TYPES)[number];
export const REPORT_FORMATS = ['csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const Day = Type.String({ format: 'date', description: 'UTC day, YYYY-MM-DD' });

export const ReportRequestSchema = Type.Object(
  {
    report_type: literals(
      REPORT_TYPES,
      'track_performance and sales: your own tracks and products; platform_activity, user_growth and moderation: ' +
        'administrators only',
    ),
    format: literals(REPORT_FORMATS, 'csv (RFC 4180, UTF-8) or pdf'),
    period_start: Day,
    period_end: { ...Day, description: 'Last UTC day covered (inclusive); at most 366 days after period_start' },
    title: Type.Optional(Line(255, 'Printed at the top; by default the type and the period')),
  },
  closed,
);
export type ReportRequest = Static<typeof ReportRequestSchema>;

export const ReportSchema = Type.Object({
  id: Uuid,
  report_type: literals(REPORT_TYPES),
  format: literals(REPORT_FORMATS),
  title: Type.String(),
  period_start: Type.String({ format: 'date' }),
  period_end: Type.String({ format: 'date' }),
  status: literals(['pending', 'processing', 'completed', 'failed', 'expired'] as const),
  error_message: Nullable(Type.String(), 'Why generation failed'),
  created_at: Timestamp,
  generated_at: Nullable(Timestamp),
  expires_at: Nullable(Timestamp, 'When the file is deleted and the report becomes expired'),
  download_url: Nullable(Type.String(), 'Path of the file, for its requester alone, while completed'),
});

export const ReportListSchema = Type.Object({ items: Type.Array(ReportSchema) });
export const ReportIdParamsSchema = Type.Object({ id: Uuid }, closed);
