import type { MailMessage } from '../../platform/mail/mailer.ts';

/**
 * A mail of the auth domain, with the link it carries, if any: outside production the link is also logged
 * (auth.module.ts), since a developer's mails often go nowhere they can read.
 */
export type AuthMail = MailMessage & { link?: string };

/**
 * The auth domain's mails. Links point at the web front end (VEZA_PUBLIC_URL), which posts the token
 * to the API: a GET that consumed the token would be spent by any mail scanner that previews links.
 */
export function verificationMail(to: string, publicUrl: string, token: string, ttlHours: number): AuthMail {
  const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    to,
    link,
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

export function passwordResetMail(to: string, publicUrl: string, token: string, ttlMinutes: number): AuthMail {
  const link = `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to,
    link,
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

/**
 * To the owner of an address someone tried to register again (ADR 0033): the registration got the answer a new
 * address gets, so this mail is how the owner, and only the owner, learns of it.
 */
export function accountExistsMail(to: string, publicUrl: string, token: string, ttlMinutes: number): AuthMail {
  const link = `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to,
    link,
    subject: 'You already have a Veza account',
    text: [
      'Someone asked to create a Veza account with this address, which already has one.',
      '',
      'If it was you: log in with your username or this address. If you forgot your password, choose a new one here:',
      link,
      '',
      `The link works once, for ${ttlMinutes} minutes.`,
      'If it was not you, ignore this mail: no account was created and your password is unchanged.',
    ].join('\n'),
  };
}

/** To the new address of an email change (ADR 0032): the change happens only when this link is followed. */
export function emailChangeMail(to: string, publicUrl: string, token: string, ttlHours: number): AuthMail {
  const link = `${publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    to,
    link,
    subject: 'Confirm the new email address of your Veza account',
    text: [
      'Someone signed in to a Veza account asked to use this address for it.',
      '',
      'If it was you, confirm by opening this link:',
      link,
      '',
      `The link works once, for ${ttlHours} hours. Until it is followed the account keeps its old address.`,
      'If it was not you, ignore this mail: nothing changes.',
    ].join('\n'),
  };
}

/** The new address, as told to the old one: enough to recognise it, not enough to harvest it. */
export function maskedAddress(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}${'*'.repeat(Math.max(1, local.length - 1))}${email.slice(at)}`;
}

/** To the old address once an email change is done (ADR 0032). */
export function emailChangedMail(to: string, newEmail: string): AuthMail {
  return {
    to,
    subject: 'The email address of your Veza account was changed',
    text: [
      `The Veza account of this address now uses ${maskedAddress(newEmail)}; mails no longer come here.`,
      '',
      'If you did not make this change, your account may be in someone else’s hands: reply to this mail or',
      'contact Veza support from this address so that we can help you recover it.',
    ].join('\n'),
  };
}
