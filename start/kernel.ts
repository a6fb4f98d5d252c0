/*
|--------------------------------------------------------------------------
| HTTP kernel
|--------------------------------------------------------------------------
*/
import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Run on every request, matched route or not.
 */
server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/apps_proxy_middleware'),
  () => import('@adonisjs/static/static_middleware'),
  () => import('@adonisjs/vite/vite_middleware'),
])

/**
 * Run on requests with a matching route.
 */
router.use([
  () => import('#middleware/body_parser_middleware'),
  () => import('@adonisjs/session/session_middleware'),
  () => import('@adonisjs/shield/shield_middleware'),
  () => import('@adonisjs/auth/initialize_auth_middleware'),
  () => import('#middleware/initialize_bouncer_middleware'),
  () => import('#middleware/text_input_middleware'),
])

export const middleware = router.named({
  guest: () => import('#middleware/guest_middleware'),
  auth: () => import('#middleware/auth_middleware'),
  silentAuth: () => import('#middleware/silent_auth_middleware'),
  admin: () => import('#middleware/admin_middleware'),
  devMails: () => import('#middleware/dev_mails_middleware'),
  billingPayments: () => import('#middleware/billing_payments_middleware'),
  uploads: () => import('#middleware/uploads_middleware'),
})
