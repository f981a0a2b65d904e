// Error catalogue of the notifications domain (issue 15 §7): stable codes, rendered as RFC 9457 problem details.
import { problemType } from '../../platform/http/problem.ts';

export const NotificationsProblems = {
  /** No such notification among the caller's (someone else's answers the same: it is never told it exists). */
  notificationNotFound: problemType('NOTIFICATION_NOT_FOUND', 404, 'No such notification'),
};
