import { MailResponse } from '@adonisjs/mail'
import { dbTime } from '#lib/db_time'
import type { MailTransportContract, NodeMailerMessage } from '@adonisjs/mail/types'

type Address = string | { address: string; name?: string }

function addresses(value: unknown): string {
  const list = (Array.isArray(value) ? value : value ? [value] : []) as Address[]
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.address)).join(', ')
}

/**
 * Mail transport of an instance without SMTP: the mail is written to the log
 * and stored in `captured_mails`, listed on /dev/mails for admins (and for
 * everyone outside production). Nothing leaves the machine.
 */
export class CaptureTransport implements MailTransportContract {
  async send(message: NodeMailerMessage): Promise<MailResponse<unknown>> {
    const [{ default: db }, { default: logger }] = await Promise.all([
      import('@adonisjs/lucid/services/db'),
      import('@adonisjs/core/services/logger'),
    ])

    const to = addresses(message.to)
    const subject = String(message.subject ?? '')
    const text = typeof message.text === 'string' ? message.text : null
    const html = typeof message.html === 'string' ? message.html : null

    const [row] = await db
      .table('captured_mails')
      .insert({
        to_address: to,
        from_address: addresses(message.from),
        subject,
        text_body: text,
        html_body: html,
        created_at: dbTime(),
      })
      .returning('id')

    logger.info({ to, subject }, 'mail captured (no SMTP configured): %s', text ?? subject)

    const id = typeof row === 'object' ? row.id : row
    return new MailResponse(`captured-${id}@xbasis.local`, { from: addresses(message.from), to: [to] }, { id })
  }
}
