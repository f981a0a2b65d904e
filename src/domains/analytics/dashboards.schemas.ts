// The contract of saved dashboards (issue 18 §8; ADR 0094): a user's own layouts of analytics widgets, validated
// here so that the `layout` JSON a client reads back is always one it can draw.
import { Type, type Static } from 'typebox';
import { closed, literals, Line, Timestamp, Uuid } from '../../platform/http/schema-primitives.ts';

/** Columns of the dashboard grid: a widget's x + w never exceeds it. */
export const GRID_COLUMNS = 12;
/** Rows a dashboard may use: a widget's y + h never exceeds it. */
export const GRID_ROWS = 48;
export const MAX_WIDGETS = 24;

/** Widgets a creator dashboard may hold: figures of their own tracks, products and courses. */
export const CREATOR_WIDGETS = [
  'plays',
  'listeners',
  'completion',
  'sources',
  'devices',
  'top_tracks',
  'sales',
  'course_enrolments',
] as const;
/** Platform-wide widgets, on admin dashboards only. */
export const ADMIN_WIDGETS = ['platform_events', 'platform_signups', 'platform_revenue', 'moderation_queue'] as const;
export const WIDGET_KINDS = [...CREATOR_WIDGETS, ...ADMIN_WIDGETS] as const;

export const WidgetSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$', description: 'Unique within the layout' }),
    kind: literals(WIDGET_KINDS),
    chart: literals(['line', 'bar', 'table', 'number', 'pie'] as const),
    period: literals(['7d', '28d', '90d', '365d'] as const),
    x: Type.Integer({ minimum: 0, maximum: GRID_COLUMNS - 1 }),
    y: Type.Integer({ minimum: 0, maximum: GRID_ROWS - 1 }),
    w: Type.Integer({ minimum: 1, maximum: GRID_COLUMNS }),
    h: Type.Integer({ minimum: 1, maximum: 12 }),
  },
  closed,
);
export type Widget = Static<typeof WidgetSchema>;

export const LayoutSchema = Type.Object(
  {
    version: Type.Literal(1),
    widgets: Type.Array(WidgetSchema, { maxItems: MAX_WIDGETS }),
  },
  { ...closed, description: `A ${GRID_COLUMNS}-column grid; widgets stay inside it and never overlap` },
);
export type Layout = Static<typeof LayoutSchema>;

const Scope = literals(['creator', 'admin'] as const, 'admin dashboards: administrators only');

export const DashboardInputSchema = Type.Object(
  {
    name: Line(100),
    scope: Type.Optional(Scope),
    layout: LayoutSchema,
    is_default: Type.Optional(Type.Boolean({ description: 'Opened first; at most one per scope' })),
  },
  closed,
);
export type DashboardInput = Static<typeof DashboardInputSchema>;

export const DashboardSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  scope: Scope,
  layout: LayoutSchema,
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export const DashboardListSchema = Type.Object({ items: Type.Array(DashboardSchema) });
export const DashboardIdParamsSchema = Type.Object({ id: Uuid }, closed);
