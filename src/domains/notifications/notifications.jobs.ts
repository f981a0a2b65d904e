// Mail of notifications (issue 15 §7, ADR 0067): the `email` channel (each such notification mailed once) and the
// opt-in digest (daily or weekly: the unread notifications of the period, in one mail). Both idempotent: a row is
// marked (emailed_at, digest_sent_at) in the transaction that sends its mail; a mail that fails rolls the mark back
// and the next run tries again (at least once, never twice for a committed mark).
import { sql, type Kysely } from 'kysely';
import { mailAddressOf } from '../auth/index.ts';
import type { DB } from '../../platform/db/db.generated.ts';
import type { JobDefinition } from '../../platform/jobs/job.ts';
import { createMailer, type MailMessage } from '../../platform/mail/mailer.ts';

export interface NotificationMailDeps {
  send(message: MailMessage): Promise<void>;
}

/** A notification older than this is not mailed any more (the person has seen the app since, or will). */
const EMAIL_WINDOW_HOURS = 24;
const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000 } as const;
const DIGEST_ITEMS = 50;

/**
 * Mails the unread notifications whose recipient routes their type to `email` and that were not mailed yet, each
 * in its own transaction (FOR UPDATE SKIP LOCKED: two runs never mail one row). Returns how many were mailed.
 */
export async function sendNotificationEmails(db: Kysely<DB>, mail: NotificationMailDeps, now: Date): Promise<number> {
  let mailed = 0;
  for (;;) {
    const sent = await db.transaction().execute(async (tx) => {
      const row = await sql<{ id: string; user_id: string; title: string }>`
        SELECT n.id, n.user_id, n.title FROM notifications n
        JOIN notification_preferences p ON p.user_id = n.user_id
        WHERE n.emailed_at IS NULL AND n.is_read = false
          AND n.created_at > ${new Date(now.getTime() - EMAIL_WINDOW_HOURS * 3_600_000)}
          AND CASE n.type WHEN 'follow' THEN p.follow_channel WHEN 'like' THEN p.like_channel
                          WHEN 'comment' THEN p.comment_channel WHEN 'mention' THEN p.mention_channel
                          WHEN 'message' THEN p.message_channel ELSE 'in_app' END = 'email'
        ORDER BY n.created_at
        LIMIT 1
        FOR UPDATE OF n SKIP LOCKED`.execute(tx);
      const picked = row.rows[0];
      if (!picked) return null;
      await sql`UPDATE notifications SET emailed_at = ${now} WHERE id = ${picked.id}`.execute(tx);
      const to = await mailAddressOf(tx, picked.user_id);
      if (to) await mail.send({ to, subject: picked.title, text: `${picked.title}\n\nOpen Veza to see it.\n` });
      return picked.id;
    });
    if (sent === null) return mailed;
    mailed += 1;
  }
}

/**
 * Sends the due digests: for each person who opted in (daily/weekly) whose last digest is a period old (or who never
 * had one), the unread notifications since then, in one mail; nothing is sent when there are none, but the period
 * still moves. Returns how many mails were sent.
 */
export async function sendDigests(db: Kysely<DB>, mail: NotificationMailDeps, now: Date): Promise<number> {
  let sent = 0;
  for (;;) {
    const done = await db.transaction().execute(async (tx) => {
      const due = await sql<{ user_id: string; digest: 'daily' | 'weekly'; digest_sent_at: Date | null }>`
        SELECT user_id, digest, digest_sent_at FROM notification_preferences
        WHERE digest <> 'off'
          AND (digest_sent_at IS NULL
               OR digest_sent_at <= ${now}::timestamptz - CASE digest WHEN 'daily' THEN interval '1 day'
                                                                        ELSE interval '7 days' END)
        ORDER BY digest_sent_at NULLS FIRST, user_id
        LIMIT 1
        FOR UPDATE SKIP LOCKED`.execute(tx);
      const person = due.rows[0];
      if (!person) return null;
      const since = person.digest_sent_at ?? new Date(now.getTime() - PERIOD_MS[person.digest]);
      const items = await tx
        .selectFrom('notifications')
        .select(['title', 'created_at'])
        .where('user_id', '=', person.user_id)
        .where('is_read', '=', false)
        .where('created_at', '>', since)
        .where('created_at', '<=', now)
        .orderBy('created_at', 'desc')
        .limit(DIGEST_ITEMS)
        .execute();
      await tx
        .updateTable('notification_preferences')
        .set({ digest_sent_at: now })
        .where('user_id', '=', person.user_id)
        .execute();
      const to = items.length > 0 ? await mailAddressOf(tx, person.user_id) : undefined;
      if (!to) return false;
      await mail.send({
        to,
        subject: `Your ${person.digest} Veza digest: ${items.length} unread`,
        text: `${items.map((item) => `- ${item.title}`).join('\n')}\n\nNothing else: Veza sends no reminders.\n`,
      });
      return true;
    });
    if (done === null) return sent;
    if (done) sent += 1;
  }
}

/**
 * The scheduled job (every 5 minutes): mails of the `email` channel, then the due digests, through the platform's
 * mailer with the mail settings its runner gives (JobContext.mail: VEZA_SMTP_URL, else the development outbox).
 * A dry run sends nothing.
 */
export const notificationsMail: JobDefinition = {
  name: 'notifications.mail',
  description: 'mail notifications routed to email, and the opt-in daily/weekly digests (ADR 0067)',
  defaultSchedule: '*/5 * * * *',
  async run(context) {
    if (context.dryRun) {
      context.log('dry run: no mail is sent');
      return;
    }
    if (!context.mail) throw new Error('notifications.mail sends mail: its runner must give the mail settings');
    const mailer = createMailer({ ...context.mail, dataDir: context.dataDir });
    try {
      context.count('notifications', await sendNotificationEmails(context.db, mailer, context.now));
      context.count('notification_preferences', await sendDigests(context.db, mailer, context.now));
    } finally {
      mailer.close();
    }
  },
};
