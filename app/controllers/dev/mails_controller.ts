import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'

export default class MailsController {
  async index({ view }: HttpContext) {
    const mails = await db
      .from('captured_mails')
      .select('id', 'to_address', 'subject', 'created_at')
      .orderBy('id', 'desc')
      .limit(100)
    return view.render('pages/dev/mails', { mails })
  }

  async show({ params, view }: HttpContext) {
    const mail = await db.from('captured_mails').where('id', Number(params.id) || 0).firstOrFail()
    return view.render('pages/dev/mail', { mail })
  }
}
