/*
|--------------------------------------------------------------------------
| Routes
|--------------------------------------------------------------------------
| Web pages (session auth, CSRF) first, then the JSON API under /api/v1
| (bearer access tokens), then health probes.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const HomeController = () => import('#controllers/home_controller')
const SignupController = () => import('#controllers/signup_controller')
const SessionController = () => import('#controllers/session_controller')
const PasswordResetController = () => import('#controllers/password_reset_controller')
const DashboardController = () => import('#controllers/dashboard_controller')
const AccountController = () => import('#controllers/settings/account_controller')
const AccessTokensController = () => import('#controllers/settings/access_tokens_controller')
const AdminUsersController = () => import('#controllers/admin/users_controller')
const DevMailsController = () => import('#controllers/dev/mails_controller')
const ApiAuthController = () => import('#controllers/api/auth_controller')
const ApiMeController = () => import('#controllers/api/me_controller')
const HealthController = () => import('#controllers/health_controller')

router.get('/', [HomeController, 'show']).as('home').use(middleware.silentAuth())

router
  .group(() => {
    router.get('/signup', [SignupController, 'show']).as('signup')
    router.post('/signup', [SignupController, 'store'])
    router.get('/login', [SessionController, 'show']).as('login')
    router.post('/login', [SessionController, 'store'])
    router.get('/forgot-password', [PasswordResetController, 'showRequest']).as('password.forgot')
    router.post('/forgot-password', [PasswordResetController, 'storeRequest'])
  })
  .use(middleware.guest())

router.get('/reset-password/:token', [PasswordResetController, 'showReset']).as('password.reset')
router.post('/reset-password', [PasswordResetController, 'storeReset'])

router
  .group(() => {
    router.post('/logout', [SessionController, 'destroy']).as('logout')
    router.get('/dashboard', [DashboardController, 'show']).as('dashboard')
    router.get('/settings/account', [AccountController, 'show']).as('settings.account')
    router.put('/settings/password', [AccountController, 'updatePassword']).as('settings.password')
    router.delete('/settings/account', [AccountController, 'destroy']).as('settings.destroy')
    router.get('/settings/tokens', [AccessTokensController, 'index']).as('settings.tokens')
    router.post('/settings/tokens', [AccessTokensController, 'store'])
    router.delete('/settings/tokens/:id', [AccessTokensController, 'destroy']).as('settings.tokens.destroy').where('id', router.matchers.number())
  })
  .use(middleware.auth())

router
  .get('/admin/users', [AdminUsersController, 'index'])
  .as('admin.users')
  .use([middleware.auth(), middleware.admin()])

router
  .group(() => {
    router.get('/dev/mails', [DevMailsController, 'index']).as('dev.mails')
    router.get('/dev/mails/:id', [DevMailsController, 'show']).as('dev.mails.show').where('id', router.matchers.number())
  })
  .use([middleware.silentAuth(), middleware.devMails()])

/*
| JSON API
*/
router
  .group(() => {
    router.post('/auth/register', [ApiAuthController, 'register'])
    router.post('/auth/login', [ApiAuthController, 'login'])

    router
      .group(() => {
        router.get('/me', [ApiMeController, 'show'])
        router.delete('/auth/token', [ApiAuthController, 'logout'])
      })
      .use(middleware.auth({ guards: ['api'] }))
  })
  .prefix('/api/v1')

router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
