import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import limiter from '@adonisjs/limiter/services/main'
import ProjectService from '#services/project_service'
import OwnerAccessService from '#services/owner_access_service'
import ProjectPolicy from '#policies/project_policy'
import { ownerLinkValidator, revealCredentialsValidator } from '#validators/owner_access'
import { wantsJson } from '#exceptions/handler'

/** Wrong passwords to reveal the credentials: 10 per user per 15 minutes. */
const revealFailures = () => limiter.use({ requests: 10, duration: '15 mins', blockDuration: '15 mins' })

/**
 * The owner's way into the generated app (editor and API): its owner pages,
 * a one-click signed link that opens them signed in, and the generated
 * credentials after the password is confirmed. Another workspace's project
 * is not found (404).
 */
@inject()
export default class OwnerAccessController {
  constructor(
    private projects: ProjectService,
    private owner: OwnerAccessService
  ) {}

  async #project(ctx: HttpContext) {
    const project = await this.projects.find(ctx.auth.getUserOrFail(), Number(ctx.params.id))
    await ctx.bouncer.with(ProjectPolicy).authorize('edit', project)
    return project
  }

  /** GET /projects/:id/owner: the owner pages of the current version and of each live app. */
  async show(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const present = async (environment: 'preview' | 'production') => {
      const live = await this.owner.liveApp(project, environment)
      return live ? { url: live.url, deployment_id: live.deployment.id, pages: live.pages } : null
    }
    return { pages: await this.owner.ownerPages(project), preview: await present('preview'), production: await present('production') }
  }

  /**
   * POST /projects/:id/owner/link: JSON clients get `{url, next, expires_at}`;
   * the editor's form is redirected to the link at once (one click).
   */
  async link(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const input = await ctx.request.validateUsing(ownerLinkValidator)
    const link = await this.owner.link(project, input.environment ?? 'production', input.next)
    ctx.response.header('cache-control', 'no-store')
    if (!wantsJson(ctx)) return ctx.response.redirect(link.url)
    return ctx.response.created({ url: link.url, next: link.next, expires_at: link.expiresAt.toISO() })
  }

  /** POST /projects/:id/owner/credentials {password}: the generated secrets, in clear. */
  async credentials(ctx: HttpContext) {
    const project = await this.#project(ctx)
    const user = ctx.auth.getUserOrFail()
    const { password } = await ctx.request.validateUsing(revealCredentialsValidator)
    const [error, credentials] = await revealFailures().penalize(`reveal:${user.id}`, () => this.owner.revealCredentials(project, user, password))
    if (error) throw error
    ctx.response.header('cache-control', 'no-store')
    return { credentials }
  }
}
