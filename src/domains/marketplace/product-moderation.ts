// What moderation (the admin domain, issue 18 §11-12, ADR 0095) may know and change of products. Hiding is the
// marketplace's own suspension (status 'suspended', off sale, out of the catalogue and the search index); restore
// puts it back to inactive, as a moderator's reinstatement does: the seller publishes it again.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

export const productModeration = {
  async visibleTo(db: Kysely<DB>, id: string, viewerId: string) {
    const row = await db
      .selectFrom('products')
      .select('seller_id')
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('status', '=', 'active'), eb('seller_id', '=', viewerId)]))
      .executeTakeFirst();
    return row && { ownerId: row.seller_id };
  },
  async lock(tx: Transaction<DB>, id: string) {
    const row = await tx
      .selectFrom('products')
      .select(['seller_id', 'status', 'deleted_at'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { ownerId: row.seller_id, hidden: row.status === 'suspended' || row.deleted_at !== null };
  },
  async setHidden(tx: Transaction<DB>, id: string, hidden: boolean) {
    await tx
      .updateTable('products')
      .set({ status: hidden ? 'suspended' : 'inactive' })
      .where('id', '=', id)
      .execute();
  },
};
