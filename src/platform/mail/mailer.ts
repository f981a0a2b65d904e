import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Where mails go: `smtp` (the relay) or `outbox` (files, development only). */
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL of the relay (VEZA_SMTP_URL); unset writes to the outbox. */
  smtpUrl: string | undefined;
  from: string;
  nodeEnv: string;
  dataDir: string;
}

/** Where a development server without SMTP writes its mails: `<dataDir>/outbox/*.eml`. */
export function outboxDir(dataDir: string): string {
  return join(dataDir, 'outbox');
}

/**
 * Outgoing mail through SMTP (nodemailer). Without VEZA_SMTP_URL, outside production, each mail is
 * written to `<dataDir>/outbox/<time>-<random>.eml` (mode 0600) so that a developer can open it and
 * follow its link; a mail is never written to the log, since it may carry a single-use token.
 * Production refuses to start without a relay rather than lose mails silently.
 */
export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
      },
      close() {
        transport.close();
      },
    };
  }
  if (options.nodeEnv === 'production') throw new Error('VEZA_SMTP_URL must be set when NODE_ENV=production');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const dir = outboxDir(options.dataDir);
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(join(dir, name), info.message, { mode: 0o600 });
    },
    close() {
      transport.close();
    },
  };
}
