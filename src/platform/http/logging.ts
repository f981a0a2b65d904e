import type { FastifyServerOptions } from 'fastify';

/**
 * pino settings for the HTTP server. Credentials never reach the logs: the headers that carry
 * them and any body field that could hold a secret are censored.
 */
export function httpLoggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.token',
        '*.refresh_token',
        '*.access_token',
        '*.totp_code',
        '*.mfa_token',
        '*.secret',
        '*.otpauth_uri',
        '*.backup_codes',
        '*.registration_token',
      ],
      censor: '[redacted]',
    },
  };
}
