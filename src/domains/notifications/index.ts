// The notifications domain (spec "Other" (notification_type, §3.2)). Other domains import from this file only.

/** Tables this domain owns: only its repositories read or write them (migration 0015). */
export const notificationsTables = ['notifications'] as const;
