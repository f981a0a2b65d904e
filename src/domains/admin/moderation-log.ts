// The moderation log (spec §16 `moderation_actions`): every act a moderator takes on someone's content is one row,
// with its reason, written in the same transaction as the act so the log can never disagree with the content's state.
// Domains that carry a moderation switch of their own (a product's suspension) call this; the admin domain's routes
// (issue 18) read it.
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';

export type ModeratedEntity =
  'product' | 'product_review' | 'post' | 'post_comment' | 'track' | 'course' | 'group' | 'certificate';

export interface ModerationAct {
  moderatorId: string;
  /** Whose content it is: the person the act concerns, told in their notifications by the admin domain later. */
  targetUserId: string;
  entityType: ModeratedEntity;
  entityId: string;
  /** `hide_content` takes the thing out of sight, `restore` gives it back. */
  action: 'hide_content' | 'restore';
  reason: string;
}

export async function recordModerationAct(tx: Transaction<DB>, act: ModerationAct): Promise<void> {
  await tx
    .insertInto('moderation_actions')
    .values({
      moderator_id: act.moderatorId,
      target_user_id: act.targetUserId,
      entity_type: act.entityType,
      entity_id: act.entityId,
      action_type: act.action,
      reason: act.reason,
    })
    .execute();
}
