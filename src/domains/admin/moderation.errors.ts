// Error catalogue of moderation (issue 18 §11-12, ADR 0095): reports, the moderators' queue and actions. Stable
// codes, rendered as RFC 9457 problem details (docs/api.md).
import { problemType } from '../../platform/http/problem.ts';

export const ModerationProblems = {
  /** Nothing of this kind with this id that the reporter can see: answered as if it did not exist. */
  targetNotFound: problemType('MODERATION_TARGET_NOT_FOUND', 404, 'No such content or account'),
  /** No such report; for a reporter, also someone else's report. */
  reportNotFound: problemType('REPORT_NOT_FOUND', 404, 'No such report'),
  /** uq_moderation_reports_reporter_entity_pending: the caller's earlier report on this target is still pending. */
  reportPending: problemType('REPORT_ALREADY_OPEN', 409, 'You already have an open report on this'),
  /** The report was resolved or dismissed already: a new action needs a new report, or a direct action. */
  reportClosed: problemType('REPORT_CLOSED', 409, 'This report is already closed'),
  /** Another moderator claimed (or was assigned) the report first. */
  reportClaimed: problemType('REPORT_ALREADY_CLAIMED', 409, 'Another moderator has claimed this report'),
  /** The assignee is not a live moderator or administrator. */
  assigneeInvalid: problemType('MODERATION_ASSIGNEE_INVALID', 422, 'Reports are assigned to moderators only'),
  /** The action does not apply to this kind of target (hiding an account, banning a comment's text...). */
  actionInapplicable: problemType('MODERATION_ACTION_INAPPLICABLE', 422, 'This action does not apply here'),
  /** The target is already in the state the action asks for (hidden twice, nothing to restore). */
  actionConflict: problemType('MODERATION_ACTION_CONFLICT', 409, 'The target is not in a state this action changes'),
  /** Moderators do not act on administrators, nor anyone on themselves (ADR 0095). */
  protectedAccount: problemType('MODERATION_PROTECTED_ACCOUNT', 403, 'You may not act on this account'),
  /** Banning or suspending this administrator would leave the platform without one. */
  lastAdmin: problemType('LAST_ADMIN', 409, 'The platform would be left without an administrator'),
} as const;
