import type { MailMessage } from '../../platform/mail/mailer.ts';

/**
 * The auth domain's mails. Links point at the web front end (VEZA_PUBLIC_URL), which posts the token
 * to the API: a GET that consumed the token would be spent by any mail scanner that previews links.
 */
export function verificationMail(to: string, publicUrl: string, token: string, ttlHours: number): MailMessage {
  const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: 'Confirm your email address for Veza',
    text: [
      'Welcome to Veza.',
      '',
      'Confirm that this address is yours by opening this link:',
      link,
      '',
      `The link works once, for ${ttlHours} hours. If you did not create an account, ignore this mail.`,
    ].join('\n'),
  };
}

export function passwordResetMail(to: string, publicUrl: string, token: string, ttlMinutes: number): MailMessage {
  const link = `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: 'Reset your Veza password',
    text: [
      'Someone asked to reset the password of the Veza account of this address.',
      '',
      'To choose a new password, open this link:',
      link,
      '',
      `The link works once, for ${ttlMinutes} minutes. Setting a new password signs out every device.`,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}
