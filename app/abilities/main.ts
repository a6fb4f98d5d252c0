import User from '#models/user'
import { Bouncer } from '@adonisjs/bouncer'

/**
 * Instance administration: users list, captured mails, plugins (later).
 */
export const administerInstance = Bouncer.ability((user: User) => user.isAdmin)
