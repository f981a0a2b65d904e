// The moderation API contract (issue 18 §11-12, ADR 0095): reports, the moderators' queue, actions.
// TypeBox schemas = OpenAPI document.
import { Type, type Static } from 'typebox';
import { closed, CONTROL, literals, Nullable, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';
import { PageQuerySchema, PageSchema } from '../../platform/http/pagination.ts';

/** Free text: line breaks allowed, at least one visible character. */
const Text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`, description });

/** What a user can report (a subset of chk_moderation_reports_entity_type_valid). */
export const REPORTABLE_TYPES = [
  'track',
  'track_comment',
  'post',
  'post_comment',
  'message',
  'product',
  'user',
  'group',
] as const;
export type ReportableType = (typeof REPORTABLE_TYPES)[number];
export const REASONS = ['spam', 'harassment', 'hate', 'copyright', 'explicit', 'impersonation', 'other'] as const;
export const REPORT_STATUSES = ['open', 'in_review', 'resolved', 'dismissed'] as const;
/** What a moderator does; `dismiss` closes a report without touching its target. */
export const ACTIONS = ['dismiss', 'hide', 'remove', 'warn', 'suspend', 'ban', 'restore'] as const;
export type ModerationActionName = (typeof ACTIONS)[number];
/** How moderation_actions.action_type names each action. */
export const ACTION_TYPES = ['warn', 'hide_content', 'delete_content', 'suspend', 'ban', 'restore'] as const;

export const CreateReportSchema = Type.Object(
  {
    entity_type: literals(REPORTABLE_TYPES, 'What is reported'),
    entity_id: Uuid,
    reason: literals(REASONS),
    details: Type.Optional(Text(5000, 'What is wrong, in the reporter’s words')),
  },
  closed,
);
export type CreateReport = Static<typeof CreateReportSchema>;

/** A report as its reporter sees it: the outcome, never who handled it. */
export const OwnReportSchema = Type.Object({
  id: Uuid,
  entity_type: Type.String(),
  entity_id: Uuid,
  reason: Type.String(),
  details: Nullable(Type.String()),
  status: literals(REPORT_STATUSES),
  outcome: Nullable(literals(ACTION_TYPES), 'What was done to the target, once resolved'),
  resolution_note: Nullable(Type.String(), 'The moderators’ explanation'),
  resolved_at: Nullable(Timestamp),
  created_at: Timestamp,
});
export const OwnReportListSchema = PageSchema(OwnReportSchema);

export const QueueItemSchema = Type.Object({
  id: Uuid,
  reporter_id: Nullable(Uuid, 'NULL once the reporter’s account is gone'),
  entity_type: Type.String(),
  entity_id: Uuid,
  reported_user_id: Nullable(Uuid),
  reason: Type.String(),
  details: Nullable(Type.String()),
  status: literals(REPORT_STATUSES),
  assigned_moderator_id: Nullable(Uuid),
  resolution_note: Nullable(Type.String()),
  resolved_at: Nullable(Timestamp),
  created_at: Timestamp,
});
export const QueueListSchema = PageSchema(QueueItemSchema);

export const QueueQuerySchema = Type.Object(
  {
    ...PageQuerySchema.properties,
    status: Type.Optional(literals(REPORT_STATUSES, 'Default: open and in_review')),
    entity_type: Type.Optional(literals(REPORTABLE_TYPES)),
    reason: Type.Optional(literals(REASONS)),
    assigned: Type.Optional(literals(['me', 'none', 'any'] as const, 'Whose reports; default any')),
  },
  closed,
);
export type QueueQuery = Static<typeof QueueQuerySchema>;

export const ActionSchema = Type.Object({
  id: Uuid,
  report_id: Nullable(Uuid),
  moderator_id: Uuid,
  target_user_id: Nullable(Uuid),
  entity_type: Nullable(Type.String()),
  entity_id: Nullable(Uuid),
  action_type: Type.String(),
  reason: Type.String(),
  expires_at: Nullable(Timestamp),
  created_at: Timestamp,
});

export const ReportDetailSchema = Type.Object({ ...QueueItemSchema.properties, actions: Type.Array(ActionSchema) });

const actionFields = {
  action: literals(ACTIONS),
  reason: Text(5000, 'Statement of reasons, sent to the person concerned'),
  duration_hours: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 8760, description: 'Length of a suspension (required for suspend only)' }),
  ),
};

export const ResolveReportSchema = Type.Object(actionFields, closed);
export type ResolveReport = Static<typeof ResolveReportSchema>;

export const DirectActionSchema = Type.Object(
  { ...actionFields, entity_type: literals(REPORTABLE_TYPES), entity_id: Uuid },
  closed,
);
export type DirectAction = Static<typeof DirectActionSchema>;

export const ActionResultSchema = Type.Object({
  report: Nullable(QueueItemSchema),
  action: Nullable(ActionSchema, 'NULL for a dismissal'),
});

export const AssignSchema = Type.Object(
  { moderator_id: Nullable(Uuid, 'NULL gives the report back to the queue') },
  closed,
);

export const ReportIdParams = Type.Object({ id: Uuid }, closed);
export const OwnReportsQuerySchema = Type.Object({ ...PageQuerySchema.properties }, closed);
