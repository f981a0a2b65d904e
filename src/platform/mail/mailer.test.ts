import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseMail, startSmtpServer, type TestSmtpServer } from '../../../test/helpers/smtp.ts';
import { createMailer, outboxDir } from './mailer.ts';

let smtp: TestSmtpServer;
before(async () => {
  smtp = await startSmtpServer();
});
after(async () => {
  await smtp.close();
});

const link = `https://veza.example/verify-email?token=${'s'.repeat(22)}.${'v'.repeat(43)}`;

describe('mailer', () => {
  test('with VEZA_SMTP_URL, mails go through the SMTP relay', async () => {
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'Veza <no-reply@veza.example>',
      nodeEnv: 'production',
      dataDir: '/nonexistent',
    });
    try {
      assert.equal(mailer.kind, 'smtp');
      await mailer.send({ to: 'ada@example.test', subject: 'Vérifiez votre adresse', text: `Open:\n${link}\n` });
      const mail = await smtp.waitFor((m) => m.envelopeTo.includes('ada@example.test'));
      assert.equal(mail.envelopeFrom, 'no-reply@veza.example');
      assert.ok(mail.text.includes(link), 'the long link survives the transfer encoding');
    } finally {
      mailer.close();
    }
  });

  test('without it, outside production, mails are written to <dataDir>/outbox as private .eml files', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'veza-outbox-'));
    try {
      const mailer = createMailer({
        smtpUrl: undefined,
        from: 'Veza <no-reply@veza.localhost>',
        nodeEnv: 'development',
        dataDir,
      });
      assert.equal(mailer.kind, 'outbox');
      await mailer.send({ to: 'bob@example.test', subject: 'Reset', text: `Follow ${link}` });
      const files = await readdir(outboxDir(dataDir));
      assert.equal(files.length, 1);
      assert.match(files[0] ?? '', /\.eml$/);
      const file = join(outboxDir(dataDir), files[0] ?? '');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const parsed = parseMail(await readFile(file, 'utf8'));
      assert.equal(parsed.subject, 'Reset');
      assert.ok(parsed.text.includes(link));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('production refuses to run without an SMTP relay', () => {
    assert.throws(
      () => createMailer({ smtpUrl: undefined, from: 'x <a@b.example>', nodeEnv: 'production', dataDir: '/tmp' }),
      /VEZA_SMTP_URL must be set when NODE_ENV=production/,
    );
  });
});
