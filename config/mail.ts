import env from '#start/env'
import { defineConfig, transports } from '@adonisjs/mail'
import { CaptureTransport } from '#lib/capture_transport'

/**
 * SMTP when SMTP_HOST is configured; otherwise every mail is written to the
 * log and kept in the database for the "Captured mails" page, so a fresh
 * instance can still reset passwords.
 */
const mailConfig = defineConfig({
  default: env.get('SMTP_HOST') ? 'smtp' : 'capture',
  from: { address: env.get('MAIL_FROM', 'xbasis@localhost'), name: 'xBasis' },
  mailers: {
    smtp: transports.smtp({
      host: env.get('SMTP_HOST', 'localhost'),
      port: env.get('SMTP_PORT', 587),
      secure: env.get('SMTP_SECURE', false),
      ...(env.get('SMTP_USERNAME')
        ? {
            auth: {
              type: 'login' as const,
              user: env.get('SMTP_USERNAME')!,
              pass: env.get('SMTP_PASSWORD', ''),
            },
          }
        : {}),
    }),
    capture: () => new CaptureTransport(),
  },
})

export default mailConfig

declare module '@adonisjs/mail/types' {
  export interface MailersList extends InferMailers<typeof mailConfig> {}
}
