// Every SQL statement of saved dashboards (issue 18 §8; ADR 0094).
import { sql } from 'kysely';
import type { Database } from '../../platform/db/pool.ts';
import type { Layout } from './dashboards.schemas.ts';

export interface DashboardRow {
  id: string;
  user_id: string;
  name: string;
  scope: 'creator' | 'admin';
  layout: Layout;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface DashboardValues {
  name: string;
  scope: 'creator' | 'admin';
  layout: Layout;
  is_default: boolean;
}

const COLUMNS = ['id', 'user_id', 'name', 'scope', 'layout', 'is_default', 'created_at', 'updated_at'] as const;

export function createDashboardsRepository(db: Database) {
  /** Making one dashboard the default of its scope first clears the other one (uq_dashboard_configs_…_default). */
  const clearDefault = (tx: Database, userId: string, scope: string, except: string | null) =>
    tx
      .updateTable('dashboard_configs')
      .set({ is_default: false })
      .where('user_id', '=', userId)
      .where('scope', '=', scope)
      .where('is_default', '=', true)
      .$if(except !== null, (q) => q.where('id', '<>', except as string))
      .execute();

  return {
    async listOwn(userId: string): Promise<DashboardRow[]> {
      return (await db
        .selectFrom('dashboard_configs')
        .select(COLUMNS)
        .where('user_id', '=', userId)
        .orderBy('name')
        .orderBy('id')
        .execute()) as DashboardRow[];
    },

    async find(id: string): Promise<DashboardRow | undefined> {
      return (await db.selectFrom('dashboard_configs').select(COLUMNS).where('id', '=', id).executeTakeFirst()) as
        DashboardRow | undefined;
    },

    async countOwn(userId: string): Promise<number> {
      const row = await db
        .selectFrom('dashboard_configs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async insert(userId: string, values: DashboardValues): Promise<DashboardRow> {
      return db.transaction().execute(async (tx) => {
        if (values.is_default) await clearDefault(tx, userId, values.scope, null);
        return (await tx
          .insertInto('dashboard_configs')
          .values({ user_id: userId, ...values, layout: JSON.stringify(values.layout) })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow()) as DashboardRow;
      });
    },

    async update(userId: string, id: string, values: DashboardValues): Promise<DashboardRow | undefined> {
      return db.transaction().execute(async (tx) => {
        if (values.is_default) await clearDefault(tx, userId, values.scope, id);
        return (await tx
          .updateTable('dashboard_configs')
          .set({ ...values, layout: JSON.stringify(values.layout), updated_at: sql<Date>`NOW()` })
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .returning(COLUMNS)
          .executeTakeFirst()) as DashboardRow | undefined;
      });
    },

    async delete(userId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom('dashboard_configs')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type DashboardsRepository = ReturnType<typeof createDashboardsRepository>;
