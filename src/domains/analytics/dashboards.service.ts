// Saved dashboards (issue 18 §8; ADR 0094): a user's own layouts of analytics widgets. The schema checks each
// widget; the rules across widgets (inside the grid, no overlap, unique ids, admin widgets on admin dashboards
// only) are checked here, every broken one named, before anything is written.
import type { Caller } from '../../platform/http/caller.ts';
import { ApiError, type ProblemField } from '../../platform/http/problem.ts';
import { authorize } from '../../platform/http/route-kit.ts';
import { AnalyticsReportProblems } from './reports.errors.ts';
import { mayManageDashboard, mayUseDashboardScope } from './reports.policy.ts';
import type { DashboardRow, DashboardsRepository } from './dashboards.repository.ts';
import { ADMIN_WIDGETS, GRID_COLUMNS, GRID_ROWS, type DashboardInput, type Layout } from './dashboards.schemas.ts';

const isUniqueViolation = (error: unknown, constraint: string) => {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === constraint;
};

/** Dashboards one person may keep. */
export const MAX_DASHBOARDS = 20;

export function layoutProblems(layout: Layout, scope: 'creator' | 'admin'): ProblemField[] {
  const problems: ProblemField[] = [];
  const seen = new Set<string>();
  layout.widgets.forEach((widget, index) => {
    const field = `body.layout.widgets.${index}`;
    if (seen.has(widget.id))
      problems.push({ field: `${field}.id`, rule: 'unique', message: `another widget is ${widget.id}` });
    seen.add(widget.id);
    if (widget.x + widget.w > GRID_COLUMNS)
      problems.push({ field: `${field}.w`, rule: 'insideGrid', message: `x + w must be at most ${GRID_COLUMNS}` });
    if (widget.y + widget.h > GRID_ROWS)
      problems.push({ field: `${field}.h`, rule: 'insideGrid', message: `y + h must be at most ${GRID_ROWS}` });
    if (scope === 'creator' && (ADMIN_WIDGETS as readonly string[]).includes(widget.kind))
      problems.push({ field: `${field}.kind`, rule: 'scope', message: `${widget.kind} is on admin dashboards only` });
    layout.widgets.slice(0, index).forEach((other, before) => {
      const apart =
        widget.x >= other.x + other.w ||
        other.x >= widget.x + widget.w ||
        widget.y >= other.y + other.h ||
        other.y >= widget.y + widget.h;
      if (!apart) problems.push({ field, rule: 'noOverlap', message: `overlaps widget ${before} (${other.id})` });
    });
  });
  return problems;
}

export class DashboardsService {
  readonly #repository: DashboardsRepository;

  constructor(repository: DashboardsRepository) {
    this.#repository = repository;
  }

  view(row: DashboardRow) {
    return {
      id: row.id,
      name: row.name,
      scope: row.scope,
      layout: row.layout,
      is_default: row.is_default,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    };
  }

  #values(caller: Caller, body: DashboardInput) {
    const scope = body.scope ?? 'creator';
    authorize(mayUseDashboardScope(caller, scope));
    const problems = layoutProblems(body.layout, scope);
    if (problems.length > 0)
      throw new ApiError(AnalyticsReportProblems.layoutInvalid, problems.map((p) => p.message).join('; '), problems);
    return { name: body.name, scope, layout: body.layout, is_default: body.is_default ?? false };
  }

  async #named<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'uq_dashboard_configs_user_id_name'))
        throw new ApiError(AnalyticsReportProblems.dashboardNameTaken, undefined, [
          {
            field: 'body.name',
            rule: 'uq_dashboard_configs_user_id_name',
            message: 'you have a dashboard of this name',
          },
        ]);
      throw error;
    }
  }

  async list(caller: Caller) {
    return { items: (await this.#repository.listOwn(caller.userId)).map((row) => this.view(row)) };
  }

  async #own(caller: Caller, id: string): Promise<DashboardRow> {
    const row = await this.#repository.find(id);
    authorize(mayManageDashboard(caller, row), AnalyticsReportProblems.dashboardNotFound);
    return row as DashboardRow;
  }

  async get(caller: Caller, id: string) {
    return this.view(await this.#own(caller, id));
  }

  async create(caller: Caller, body: DashboardInput) {
    const values = this.#values(caller, body);
    if ((await this.#repository.countOwn(caller.userId)) >= MAX_DASHBOARDS)
      throw new ApiError(AnalyticsReportProblems.layoutInvalid, `At most ${MAX_DASHBOARDS} dashboards`, [
        { field: 'body', rule: 'maxDashboards', message: `at most ${MAX_DASHBOARDS} dashboards per person` },
      ]);
    return this.view(await this.#named(() => this.#repository.insert(caller.userId, values)));
  }

  async replace(caller: Caller, id: string, body: DashboardInput) {
    await this.#own(caller, id);
    const values = this.#values(caller, body);
    const row = await this.#named(() => this.#repository.update(caller.userId, id, values));
    if (!row) throw new ApiError(AnalyticsReportProblems.dashboardNotFound);
    return this.view(row);
  }

  async remove(caller: Caller, id: string): Promise<void> {
    await this.#own(caller, id);
    await this.#repository.delete(caller.userId, id);
  }
}
