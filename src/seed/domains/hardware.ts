// Hardware (spec §12): the users' gear, warranties and maintenance history, filed under the category tree that
// migration 0049 inserts.
import { money, type Row } from '../copy-text.ts';
import { copyTable, type DerivedTable, type SeedTable } from '../table.ts';
import { DAY_MS, iso, isoDate } from '../timeline.ts';
import { Fanout, streams, type Universe } from '../universe.ts';
import { EQUIPMENT_CATEGORIES, EQUIPMENT_CATEGORY_IDS, GEAR_BRANDS, sentence } from '../vocabulary.ts';
import { VOLUMES } from '../volumes.ts';
import { userCreated, userId, users } from './auth.ts';
import { personalFileId } from './files.ts';

const S = streams(
  'equipment_categories.id',
  'equipment',
  'equipment.id',
  'equipment.attr',
  'equipment_warranties',
  'equipment_warranties.id',
  'equipment_maintenance',
  'equipment_maintenance.id',
);

const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

const LEAF_CATEGORIES = EQUIPMENT_CATEGORIES.map((category, i) => [category, i] as const)
  .filter(([[, , parent]]) => parent !== null)
  .map(([, i]) => i);

/**
 * The category of a seeded item: one of the starting list migration 0049 inserts (its fixed ids), so the seed
 * loads no categories of its own. The list and the vocabulary name the same slugs (src/seed/generators.test.ts).
 */
const categoryId = (index: number): string =>
  EQUIPMENT_CATEGORY_IDS[(EQUIPMENT_CATEGORIES[index] as (typeof EQUIPMENT_CATEGORIES)[number])[0]];

interface Equipment {
  fanout: Fanout;
  owner: Int32Array;
  created: Float64Array;
  /** Purchase day (ms at UTC midnight), NaN when unknown. */
  purchased: Float64Array;
}

function equipment(u: Universe): Equipment {
  return u.cached('equipment', () => {
    const people = users(u);
    const fanout = Fanout.of(u, S.equipment, people.count, (_, rng) =>
      rng.exponentialCount(VOLUMES.equipmentPerUser, 30),
    );
    const owner = new Int32Array(fanout.total);
    const created = new Float64Array(fanout.total);
    const purchased = new Float64Array(fanout.total);
    const rng = u.rng();
    for (let user = 0; user < people.count; user++) {
      for (let e = fanout.start[user] as number; e < (fanout.start[user + 1] as number); e++) {
        rng.reset(S['equipment.attr'], e);
        owner[e] = user;
        created[e] = u.time.after(userCreated(u, user), rng.next());
        // bought before it was listed, up to ten years before
        const bought = (created[e] as number) - rng.next() * 3650 * DAY_MS;
        purchased[e] = rng.chance(0.8) ? Math.floor(bought / DAY_MS) * DAY_MS : NaN;
      }
    }
    return { fanout, owner, created, purchased };
  });
}

const equipmentTable = copyTable({
  name: 'equipment',
  dependsOn: ['users', 'files'],
  columns: [
    'id',
    'user_id',
    'category_id',
    'name',
    'brand',
    'model',
    'serial_number',
    'purchase_date',
    'purchase_price',
    'currency',
    'purchased_from',
    'condition',
    'status',
    'photo_file_id',
    'notes',
    'is_public',
    'created_at',
    'updated_at',
    'deleted_at',
  ],
  count: (u) => equipment(u).fanout.total,
  *rows(u): Iterable<Row> {
    const all = equipment(u);
    const rng = u.rng();
    for (let e = 0; e < all.owner.length; e++) {
      rng.reset(S['equipment.id'], e);
      const owner = all.owner[e] as number;
      const category = rng.pick(LEAF_CATEGORIES);
      const brand = rng.pick(GEAR_BRANDS);
      const model = `${String.fromCharCode(65 + rng.int(26))}${rng.between(1, 99)}${rng.pick(['', ' mk2', ' Pro', ' XL', 'S'])}`;
      const priced = rng.chance(0.7);
      const at = iso(all.created[e] as number);
      const purchased = all.purchased[e] as number;
      yield [
        u.id(S['equipment.id'], e),
        userId(u, owner),
        categoryId(category),
        `${brand} ${model}`,
        brand,
        model,
        rng.chance(0.5) ? `SN${rng.hex(8).toUpperCase()}` : null,
        Number.isNaN(purchased) ? null : isoDate(purchased),
        priced ? money(rng.between(20, 4000)) : null,
        priced ? rng.pick(CURRENCIES) : null,
        rng.chance(0.4) ? rng.pick(['Thomann', 'Sweetwater', 'local shop', 'second hand', 'Reverb']) : null,
        rng.pick(['new', 'excellent', 'good', 'good', 'fair', 'poor', 'broken']),
        rng.chance(0.85) ? 'owned' : rng.pick(['lent', 'sold', 'lost', 'stolen', 'retired']),
        rng.chance(0.3) ? personalFileId(u, owner, 2) : null,
        rng.chance(0.2) ? sentence(rng, 4, 12) : null,
        rng.chance(0.4),
        at,
        at,
        null,
      ];
    }
  },
});

function warrantyFanout(u: Universe): Fanout {
  return u.cached('equipment_warranties', () =>
    Fanout.of(u, S.equipment_warranties, equipment(u).fanout.total, (_, rng) =>
      rng.chance(VOLUMES.warrantyShare) ? 1 : 0,
    ),
  );
}

const equipmentWarranties = copyTable({
  name: 'equipment_warranties',
  dependsOn: ['equipment', 'files'],
  columns: [
    'id',
    'equipment_id',
    'coverage_type',
    'provider',
    'reference_number',
    'starts_on',
    'ends_on',
    'document_file_id',
    'notes',
    'expiry_reminder_sent_at',
    'created_at',
    'updated_at',
  ],
  count: (u) => warrantyFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = warrantyFanout(u);
    const all = equipment(u);
    const rng = u.rng();
    for (let e = 0; e < all.owner.length; e++) {
      for (let w = fanout.start[e] as number; w < (fanout.start[e + 1] as number); w++) {
        rng.reset(S['equipment_warranties.id'], w);
        const purchased = all.purchased[e] as number;
        const starts = Number.isNaN(purchased) ? Math.floor((all.created[e] as number) / DAY_MS) * DAY_MS : purchased;
        const ends = rng.chance(0.9) ? starts + rng.between(1, 5) * 365 * DAY_MS : NaN;
        const at = iso(all.created[e] as number);
        const reminded = !Number.isNaN(ends) && ends < u.time.anchor && rng.chance(0.5);
        yield [
          u.id(S['equipment_warranties.id'], w),
          u.id(S['equipment.id'], e),
          rng.pick(['manufacturer', 'manufacturer', 'retailer', 'extended', 'insurance']),
          rng.pick(GEAR_BRANDS),
          rng.chance(0.6) ? `W-${rng.hex(8).toUpperCase()}` : null,
          isoDate(starts),
          Number.isNaN(ends) ? null : isoDate(ends),
          rng.chance(0.4) ? personalFileId(u, all.owner[e] as number, 3) : null,
          null,
          reminded ? iso(Math.max(ends - 30 * DAY_MS, all.created[e] as number)) : null,
          at,
          at,
        ];
      }
    }
  },
});

function maintenanceFanout(u: Universe): Fanout {
  return u.cached('equipment_maintenance', () =>
    Fanout.of(u, S.equipment_maintenance, equipment(u).fanout.total, (_, rng) =>
      rng.exponentialCount(VOLUMES.maintenancePerEquipment, 5),
    ),
  );
}

const equipmentMaintenance = copyTable({
  name: 'equipment_maintenance',
  dependsOn: ['equipment', 'files'],
  columns: [
    'id',
    'equipment_id',
    'maintenance_type',
    'performed_on',
    'description',
    'performed_by',
    'cost',
    'currency',
    'invoice_file_id',
    'next_due_on',
    'created_at',
    'updated_at',
  ],
  count: (u) => maintenanceFanout(u).total,
  *rows(u): Iterable<Row> {
    const fanout = maintenanceFanout(u);
    const all = equipment(u);
    const rng = u.rng();
    for (let e = 0; e < all.owner.length; e++) {
      for (let m = fanout.start[e] as number; m < (fanout.start[e + 1] as number); m++) {
        rng.reset(S['equipment_maintenance.id'], m);
        const from = Number.isNaN(all.purchased[e]) ? (all.created[e] as number) : (all.purchased[e] as number);
        const performed =
          Math.floor(u.time.after(Math.max(from, all.created[e] as number), rng.next()) / DAY_MS) * DAY_MS;
        const costed = rng.chance(0.6);
        const at = iso(Math.max(performed, all.created[e] as number));
        yield [
          u.id(S['equipment_maintenance.id'], m),
          u.id(S['equipment.id'], e),
          rng.pick(['service', 'repair', 'calibration', 'upgrade', 'cleaning', 'inspection']),
          isoDate(performed),
          sentence(rng, 4, 14),
          rng.chance(0.5) ? rng.pick(['myself', 'local tech', 'manufacturer service']) : null,
          costed ? money(rng.between(10, 600)) : null,
          costed ? rng.pick(CURRENCIES) : null,
          costed && rng.chance(0.3) ? personalFileId(u, all.owner[e] as number, 3) : null,
          rng.chance(0.4) ? isoDate(performed + rng.between(90, 730) * DAY_MS) : null,
          at,
          at,
        ];
      }
    }
  },
});

/** The starting list of migration 0049, checked rather than loaded: every id the equipment rows use must be there. */
const equipmentCategories: DerivedTable = {
  kind: 'derived',
  name: 'equipment_categories',
  dependsOn: [],
  migrated: true,
  async derive(sql) {
    const ids = Object.values(EQUIPMENT_CATEGORY_IDS);
    const { rows } = await sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM equipment_categories WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const found = rows[0]?.n ?? 0;
    if (found !== ids.length)
      throw new Error(`seed: ${ids.length - found} starting equipment categories of migration 0049 are missing`);
    const total = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM equipment_categories');
    return total.rows[0]?.n ?? 0;
  },
};

/**
 * The reminders already sent (ADR 0079) for the warranties the generator marked reminded: the 30-day one at
 * expiry_reminder_sent_at and the end-day one on the end date. Ids from md5, so that a seed replays byte for byte.
 */
const warrantyReminders: DerivedTable = {
  kind: 'derived',
  name: 'equipment_warranty_reminders',
  dependsOn: ['equipment_warranties'],
  async derive(sql) {
    const { rowCount } = await sql.query(`
      INSERT INTO equipment_warranty_reminders (id, warranty_id, kind, ends_on, sent_at, created_at, updated_at)
      SELECT md5(w.id::text || k.kind)::uuid, w.id, k.kind, w.ends_on, s.sent_at, s.sent_at, s.sent_at
      FROM equipment_warranties w
      CROSS JOIN (VALUES ('thirty_days'), ('end_day')) AS k(kind)
      CROSS JOIN LATERAL (
        SELECT CASE k.kind WHEN 'thirty_days' THEN w.expiry_reminder_sent_at
                           ELSE GREATEST(w.ends_on::timestamptz, w.expiry_reminder_sent_at) END AS sent_at) s
      WHERE w.expiry_reminder_sent_at IS NOT NULL AND w.ends_on IS NOT NULL`);
    return rowCount ?? 0;
  },
};

export const hardwareTables: SeedTable[] = [
  equipmentCategories,
  equipmentTable,
  equipmentWarranties,
  equipmentMaintenance,
  warrantyReminders,
];
