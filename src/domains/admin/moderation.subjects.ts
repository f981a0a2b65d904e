// What can be reported and acted upon, and the owning domain's functions that read and change it (ADR 0095):
// domains own their tables, so moderation never writes them itself.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/db.generated.ts';
import { messageModeration } from '../chat/index.ts';
import { productModeration } from '../marketplace/index.ts';
import { groupModeration, postCommentModeration, postModeration } from '../social/index.ts';
import { trackCommentModeration, trackModeration } from '../streaming/index.ts';
import type { ReportableType } from './moderation.schemas.ts';

/** One kind of content, as its domain lets moderation see and change it. */
export interface ContentSubject {
  /** The content's owner when `viewerId` can see it (so may report it); undefined otherwise. */
  visibleTo(db: Kysely<DB>, id: string, viewerId: string): Promise<{ ownerId: string } | undefined>;
  /** The content in any state (hidden included), locked until the transaction ends; undefined once purged. */
  lock(tx: Transaction<DB>, id: string): Promise<{ ownerId: string; hidden: boolean } | undefined>;
  /** Takes it out of sight everywhere it is shown, or gives it back. */
  setHidden(tx: Transaction<DB>, id: string, hidden: boolean): Promise<void>;
}

/**
 * The subject of one kind of content. A function, not a table built at load time: the content domains import the
 * admin domain's index (recordModerationAct) too, and a table would read their exports before they exist.
 */
export function contentSubject(type: Exclude<ReportableType, 'user'>): ContentSubject {
  switch (type) {
    case 'track':
      return trackModeration;
    case 'track_comment':
      return trackCommentModeration;
    case 'post':
      return postModeration;
    case 'post_comment':
      return postCommentModeration;
    case 'message':
      return messageModeration;
    case 'product':
      return productModeration;
    case 'group':
      return groupModeration;
  }
}
