import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'

export default class UsersController {
  async index({ view, request }: HttpContext) {
    const page = Math.max(1, Number(request.input('page', 1)) || 1)
    const users = await db
      .from('users')
      .leftJoin('workspaces', (join) => {
        join.on('workspaces.owner_id', '=', 'users.id').andOnVal('workspaces.personal', '=', true)
      })
      .select(
        'users.id',
        'users.email',
        'users.full_name',
        'users.is_admin',
        'users.created_at',
        'workspaces.id as workspace_id',
        'workspaces.plan',
        'workspaces.tokens_balance'
      )
      .orderBy('users.id', 'asc')
      .paginate(page, 50)
    users.baseUrl('/admin/users')
    return view.render('pages/admin/users', { users })
  }
}
