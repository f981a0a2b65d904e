// Who may touch a notification (issue 15 §7): its recipient only. Staff have no access to anyone's notifications.
// Someone else's notification reads exactly like a missing one.
import { ALLOW, deny, type Caller, type Decision } from '../../platform/policy/policy.ts';

export interface NotificationSubject {
  user_id: string;
}

export const notificationsPolicy = {
  /** Listing, counting, reading, marking, deleting and setting preferences: the signed-in recipient. */
  mayUseOwn: (caller: Caller | null): Decision =>
    caller ? ALLOW : deny('unauthenticated', 'Sign in to read your notifications'),
  mayTouch: (caller: Caller | null, notification: NotificationSubject | undefined): Decision => {
    if (!caller) return deny('unauthenticated', 'Sign in to read your notifications');
    if (!notification || notification.user_id !== caller.userId) return deny('hidden', 'No such notification');
    return ALLOW;
  },
};
