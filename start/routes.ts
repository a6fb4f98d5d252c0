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
const ProjectsController = () => import('#controllers/projects_controller')
const ChatController = () => import('#controllers/chat_controller')
const AdminPluginsController = () => import('#controllers/admin/plugins_controller')
const AdminWorkspacesController = () => import('#controllers/admin/workspaces_controller')
const ApiProjectsController = () => import('#controllers/api/projects_controller')
const ApiAiController = () => import('#controllers/api/ai_controller')
const BillingController = () => import('#controllers/billing_controller')
const ApiBillingController = () => import('#controllers/api/billing_controller')
const WebhooksController = () => import('#controllers/webhooks_controller')
const PluginSettingsController = () => import('#controllers/plugin_settings_controller')
const ProjectFilesController = () => import('#controllers/project_files_controller')
const ModulesController = () => import('#controllers/modules_controller')
const DeploymentsController = () => import('#controllers/deployments_controller')
const ProjectEnvController = () => import('#controllers/project_env_controller')
const EmailVerificationController = () => import('#controllers/email_verification_controller')
const AdminSignupController = () => import('#controllers/admin/signup_controller')
const OwnerAccessController = () => import('#controllers/owner_access_controller')

/**
 * Deployments: the same routes for the editor page and the API.
 */
function deploymentRoutes() {
  router.get('/projects/:id/deployments', [DeploymentsController, 'index']).where('id', router.matchers.number())
  router.post('/projects/:id/deployments', [DeploymentsController, 'store']).where('id', router.matchers.number())
  router.get('/deployments/:id', [DeploymentsController, 'show']).where('id', router.matchers.number())
  router.get('/deployments/:id/logs', [DeploymentsController, 'logs']).where('id', router.matchers.number())
  router.post('/deployments/:id/stop', [DeploymentsController, 'stop']).where('id', router.matchers.number())
  router.post('/deployments/:id/rollback', [DeploymentsController, 'rollback']).where('id', router.matchers.number())
}

/**
 * The owner's way into the generated app: owner pages, the one-click signed
 * link, the generated credentials after the password: editor and API.
 */
function ownerRoutes() {
  router.get('/projects/:id/owner', [OwnerAccessController, 'show']).where('id', router.matchers.number())
  router.post('/projects/:id/owner/link', [OwnerAccessController, 'link']).where('id', router.matchers.number())
  router.post('/projects/:id/owner/credentials', [OwnerAccessController, 'credentials']).where('id', router.matchers.number())
}

/**
 * A project's files and versions: the same routes for the editor page
 * (session) and the API (bearer token).
 */
function projectFileRoutes() {
  router.get('/projects/:id/files', [ProjectFilesController, 'index']).where('id', router.matchers.number())
  router.get('/projects/:id/files/*', [ProjectFilesController, 'show']).where('id', router.matchers.number())
  router.put('/projects/:id/files/*', [ProjectFilesController, 'update']).where('id', router.matchers.number())
  router.post('/projects/:id/locks', [ProjectFilesController, 'lock']).where('id', router.matchers.number())
  router.delete('/projects/:id/locks', [ProjectFilesController, 'lock']).where('id', router.matchers.number())
  router.get('/projects/:id/versions', [ProjectFilesController, 'versions']).where('id', router.matchers.number())
  router.get('/projects/:id/versions/:version/diff', [ProjectFilesController, 'diff']).where('id', router.matchers.number())
  router.post('/projects/:id/versions/:version/restore', [ProjectFilesController, 'restore']).where('id', router.matchers.number())
  router.get('/projects/:id/export.zip', [ProjectFilesController, 'exportZip']).where('id', router.matchers.number())
  router.post('/projects/:id/push', [ProjectFilesController, 'push']).where('id', router.matchers.number())
}

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
// Signed link of the verification mail: the signature is the proof, in any browser.
router.get('/verify-email/:id/:digest', [EmailVerificationController, 'verify']).as('email.verify').where('id', router.matchers.number())
router.post('/reset-password', [PasswordResetController, 'storeReset'])

router
  .group(() => {
    router.post('/logout', [SessionController, 'destroy']).as('logout')
    router.post('/verify-email/resend', [EmailVerificationController, 'resend']).as('email.resend')
    router.get('/dashboard', [DashboardController, 'show']).as('dashboard')
    router.get('/settings/account', [AccountController, 'show']).as('settings.account')
    router.put('/settings/password', [AccountController, 'updatePassword']).as('settings.password')
    router.delete('/settings/account', [AccountController, 'destroy']).as('settings.destroy')
    router.get('/settings/tokens', [AccessTokensController, 'index']).as('settings.tokens')
    router.post('/settings/tokens', [AccessTokensController, 'store'])
    router.delete('/settings/tokens/:id', [AccessTokensController, 'destroy']).as('settings.tokens.destroy').where('id', router.matchers.number())
    router.get('/modules', [ModulesController, 'page']).as('modules')
    router.get('/settings/ai', [PluginSettingsController, 'showWorkspace']).as('settings.ai')
    router.put('/settings/ai/:id', [PluginSettingsController, 'updateWorkspace'])
    router.get('/projects/new', [ProjectsController, 'create']).as('projects.new')
    router.post('/projects', [ProjectsController, 'store']).as('projects.store')
    router.get('/projects/:id', [ProjectsController, 'show']).as('projects.show').where('id', router.matchers.number())
    router.get('/projects/:id/edit', [ProjectsController, 'edit']).as('projects.edit').where('id', router.matchers.number())
    router.put('/projects/:id', [ProjectsController, 'update']).as('projects.update').where('id', router.matchers.number())
    router.delete('/projects/:id', [ProjectsController, 'destroy']).as('projects.destroy').where('id', router.matchers.number())
    router.get('/projects/:id/settings/env', [ProjectEnvController, 'page']).as('projects.env').where('id', router.matchers.number())
    router.put('/projects/:id/settings/env', [ProjectEnvController, 'save']).where('id', router.matchers.number())
    router.delete('/projects/:id/settings/env', [ProjectEnvController, 'remove']).where('id', router.matchers.number())
    router.get('/projects/:id/messages', [ChatController, 'index']).where('id', router.matchers.number())
    router.post('/projects/:id/messages', [ChatController, 'store']).where('id', router.matchers.number())
    router.get('/billing', [BillingController, 'show']).as('billing')
    router.get('/billing/transactions.csv', [BillingController, 'exportCsv']).as('billing.csv')
    // Payment routes: 404 unless the billing plugin takes payments (BillingPaymentsMiddleware).
    router.post('/billing/checkout', [BillingController, 'checkout']).as('billing.checkout').use(middleware.billingPayments())
    router.get('/billing/portal', [BillingController, 'portal']).as('billing.portal').use(middleware.billingPayments())
    projectFileRoutes()
    deploymentRoutes()
    ownerRoutes()
  })
  .use(middleware.auth())

router
  .group(() => {
    router.get('/admin/users', [AdminUsersController, 'index']).as('admin.users')
    router.get('/admin/plugins', [AdminPluginsController, 'index']).as('admin.plugins')
    router.get('/admin/signup', [AdminSignupController, 'show']).as('admin.signup')
    router.put('/admin/signup', [AdminSignupController, 'update'])
    router.post('/admin/signup/accounts', [AdminSignupController, 'createAccount'])
    router.get('/admin/workspaces/:id/ledger', [AdminWorkspacesController, 'ledger']).as('admin.workspaces.ledger').where('id', router.matchers.number())
    router.post('/admin/workspaces/:id/balance', [AdminWorkspacesController, 'adjust']).where('id', router.matchers.number())
    router.get('/admin/plugins/:id', [PluginSettingsController, 'showPlatform'])
    router.put('/admin/plugins/:id', [PluginSettingsController, 'updatePlatform'])
  })
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
        router.get('/projects', [ApiProjectsController, 'index'])
        router.post('/projects', [ApiProjectsController, 'store'])
        router.get('/projects/:id', [ApiProjectsController, 'show'])
        router.patch('/projects/:id', [ApiProjectsController, 'update'])
        router.delete('/projects/:id', [ApiProjectsController, 'destroy'])
        router.get('/projects/:id/env', [ProjectEnvController, 'index'])
        router.put('/projects/:id/env', [ProjectEnvController, 'update'])
        router.delete('/projects/:id/env', [ProjectEnvController, 'destroy'])
        router.get('/projects/:id/messages', [ChatController, 'index'])
        router.post('/projects/:id/messages', [ChatController, 'store'])
        projectFileRoutes()
        router.get('/ai/models', [ApiAiController, 'models'])
        router.get('/modules', [ModulesController, 'index'])
        deploymentRoutes()
        ownerRoutes()
        router.get('/ai/usage', [ApiAiController, 'usage'])
        router.get('/billing/plans', [ApiBillingController, 'plans'])
        router.post('/billing/checkout', [ApiBillingController, 'checkout']).use(middleware.billingPayments())
        router.get('/billing/usage', [ApiBillingController, 'usage'])
        router.get('/billing/transactions', [ApiBillingController, 'transactions'])
      })
      .use(middleware.auth({ guards: ['api'] }))
  })
  .prefix('/api/v1')

/*
| Webhooks of outside services: no session, no CSRF (config/shield.ts), raw
| body kept for signature checks.
*/
router.post('/webhooks/paddle', [WebhooksController, 'paddle']).use(middleware.billingPayments())

router.get('/health/live', [HealthController, 'live'])
router.get('/health/ready', [HealthController, 'ready'])
