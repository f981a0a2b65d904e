// Notification mail (ADR 0067): the `email` channel mails each notification once; the opt-in digest sends the
// period's unread notifications in one mail, once per period; both through the real mailer to a test SMTP server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { useTestApp } from '../../../test/helpers/app.ts';
import { startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.ts';
import { runJob } from '../../platform/jobs/run-job.ts';
import { createMailer, type Mailer } from '../../platform/mail/mailer.ts';
import { person } from '../streaming/comments.test-support.ts';
import { notificationsMail, sendDigests, sendNotificationEmails } from './notifications.jobs.ts';
import { notify } from './notifications.notify.ts';

const testApp = useTestApp();
let smtp: TestSmtpServer;
let mailer: Mailer;

before(async () => {
  smtp = await startSmtpServer();
  mailer = createMailer({ smtpUrl: smtp.url, from: 'veza@example.test', nodeEnv: 'test', dataDir: '/tmp' });
});
after(async () => {
  mailer.close();
  await smtp.close();
});

async function verifiedPerson() {
  const who = await person(testApp.current);
  const [row] = await testApp.current.database.sql`
    UPDATE users SET email_verified_at = NOW() WHERE id = ${who.id} RETURNING email`;
  return { ...who, email: row!.email as string };
}

test('channel email: each notification is mailed once, to a verified address; in_app ones are not mailed', async () => {
  const { db } = testApp.current.pool;
  const creator = await verifiedPerson();
  const quiet = await verifiedPerson();
  const fan = await person(testApp.current);
  await testApp.current.database.sql`
    INSERT INTO notification_preferences (user_id, follow_channel) VALUES (${creator.id}, 'email')`;
  for (const recipient of [creator, quiet])
    await notify(db, {
      recipientId: recipient.id,
      actorId: fan.id,
      type: 'follow',
      entityType: 'user',
      entityId: recipient.id,
    });
  const before = smtp.mails.length;
  assert.equal(await sendNotificationEmails(db, mailer, new Date()), 1);
  assert.equal(await sendNotificationEmails(db, mailer, new Date()), 0, 'a second run mails nothing');
  const mail = await smtp.waitFor((m) => m.envelopeTo.includes(creator.email));
  assert.match(mail.subject, /followed you/);
  assert.equal(smtp.mails.length - before, 1);
  assert.ok(!smtp.mails.some((m) => m.envelopeTo.includes(quiet.email)));
});

test('digest: opted-in people get their unread notifications once per period, nothing when none', async () => {
  const { db } = testApp.current.pool;
  const reader = await verifiedPerson();
  const empty = await verifiedPerson();
  const fan = await person(testApp.current);
  await testApp.current.database.sql`
    INSERT INTO notification_preferences (user_id, digest) VALUES (${reader.id}, 'daily'), (${empty.id}, 'weekly')`;
  await notify(db, {
    recipientId: reader.id,
    actorId: fan.id,
    type: 'follow',
    entityType: 'user',
    entityId: reader.id,
  });
  const now = new Date(Date.now() + 1000);
  const before = smtp.mails.length;
  assert.equal(await sendDigests(db, mailer, now), 1);
  assert.equal(await sendDigests(db, mailer, now), 0, 'idempotent within the period');
  const mail = await smtp.waitFor((m) => m.envelopeTo.includes(reader.email));
  assert.match(mail.subject, /daily Veza digest: 1 unread/);
  assert.match(mail.text, /followed you/);
  assert.equal(smtp.mails.length - before, 1);
  // A day later: due again, but nothing new is unread since: no mail.
  assert.equal(await sendDigests(db, mailer, new Date(now.getTime() + 86_400_000 + 1000)), 0);
});

test('the scheduled job mails through the settings its runner gives, and fails without them', async () => {
  const { db } = testApp.current.pool;
  const creator = await verifiedPerson();
  const fan = await person(testApp.current);
  await testApp.current.database.sql`
    INSERT INTO notification_preferences (user_id, follow_channel) VALUES (${creator.id}, 'email')`;
  await notify(db, {
    recipientId: creator.id,
    actorId: fan.id,
    type: 'follow',
    entityType: 'user',
    entityId: creator.id,
  });

  const unwired = await runJob(notificationsMail, { db, dataDir: '/tmp', triggeredBy: 'manual' });
  assert.equal(unwired.status, 'failed');
  assert.match(unwired.error ?? '', /mail settings/);

  const mail = { smtpUrl: smtp.url, from: 'Veza Jobs <jobs@example.test>', nodeEnv: 'test' };
  const run = await runJob(notificationsMail, { db, dataDir: '/tmp', mail, triggeredBy: 'manual' });
  assert.equal(run.status, 'succeeded');
  const sent = await smtp.waitFor((m) => m.envelopeTo.includes(creator.email));
  assert.equal(sent.envelopeFrom, 'jobs@example.test');
});
