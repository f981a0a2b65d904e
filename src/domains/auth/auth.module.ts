// Wires the auth domain: repositories -> services -> routes, registered under /v1 by the composition root.
import type { DomainModule } from '../../app/module-dependencies.ts';
import { createSecretBox } from '../../platform/crypto/index.ts';
import { createMailer, outboxDir } from '../../platform/mail/mailer.ts';
import { registerAccountIdentityRoutes } from './account-identity.routes.ts';
import { AccountIdentityService } from './account-identity.service.ts';
import type { AuthMail } from './auth.mails.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { LoginThrottle } from './login-throttle.ts';
import { LoginService } from './login.service.ts';
import { MfaChallenges } from './mfa-challenge.ts';
import { PasswordHasher } from './password-hasher.ts';
import { PasswordService } from './password.service.ts';
import { RegistrationService } from './registration.service.ts';
import { SessionService } from './session.service.ts';
import { TwoFactorService } from './two-factor.service.ts';

/** Registration, email verification, login with lockout, sessions, passwords and TOTP (spec §4, issue 5). */
export const authModule: DomainModule = (deps) => (app, _options, done) => {
  const { pool, config, accessTokens } = deps;
  createSecretBox(config).then(
    (box) => {
      const mailer = createMailer({
        smtpUrl: config.mail.smtpUrl,
        from: config.mail.from,
        nodeEnv: config.nodeEnv,
        dataDir: config.dataDir,
      });
      if (mailer.kind === 'outbox') {
        app.log.info({ outbox: outboxDir(config.dataDir) }, 'VEZA_SMTP_URL is unset: mails are written to the outbox');
      }
      app.addHook('onClose', (_instance, closed) => {
        mailer.close();
        closed();
      });
      // Mails leave after the answer: neither a slow relay nor its failure shows in the response (and a
      // password reset answers alike whether a mail goes or not). The log names the mail, never its text.
      const sendMail = ({ link, ...message }: AuthMail) => {
        // Development without a relay only (issue 10): the link is logged, so that following it needs no mailbox.
        // With a relay the mail carries it, and a logged token would be a credential in the logs.
        if (link !== undefined && mailer.kind === 'outbox' && config.nodeEnv !== 'production') {
          app.log.info({ mail: message.subject, to: message.to, link }, 'mail link (logged outside production)');
        }
        mailer.send(message).catch((error: unknown) => {
          const { code, message: reason } = error as { code?: string; message?: string };
          app.log.error({ mail: message.subject, code, reason }, 'mail not sent');
        });
      };
      const db = pool.db;
      const hasher = new PasswordHasher(config.auth.bcryptCost);
      const throttle = new LoginThrottle(db, config.auth.lockout);
      const sessions = new SessionService({
        db,
        accessTokens,
        refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
        box,
      });
      const twoFactor = new TwoFactorService({ db, box, hasher, throttle });
      const passwords = new PasswordService({
        db,
        hasher,
        throttle,
        sessions,
        sendMail,
        settings: { publicUrl: config.mail.publicUrl, passwordResetTtlMinutes: config.auth.passwordResetTtlMinutes },
      });
      registerAuthRoutes(app, {
        sessions,
        twoFactor,
        registration: new RegistrationService({
          db,
          hasher,
          sendMail,
          settings: {
            publicUrl: config.mail.publicUrl,
            emailVerificationTtlHours: config.auth.emailVerificationTtlHours,
          },
          accountExists: (email, client) => passwords.mailAccountExists(email, client),
          // Imported when first needed: a static import would close a cycle (admin -> chat -> auth) at load time.
          assertOpen: async () => (await import('../admin/index.ts')).assertRegistrationOpenOn(pool),
        }),
        login: new LoginService({ db, hasher, throttle, sessions, twoFactor, challenges: new MfaChallenges(box) }),
        passwords,
      });
      registerAccountIdentityRoutes(
        app,
        new AccountIdentityService({
          db,
          hasher,
          throttle,
          sendMail,
          settings: {
            publicUrl: config.mail.publicUrl,
            emailVerificationTtlHours: config.auth.emailVerificationTtlHours,
          },
        }),
      );
      done();
    },
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  );
};
