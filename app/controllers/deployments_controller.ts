import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Deployment from '#models/deployment'
import ProjectService from '#services/project_service'
import DeployService, { presentDeployment } from '#services/deploy_service'
import ProjectPolicy from '#policies/project_policy'
import { createDeploymentValidator, rollbackDeploymentValidator } from '#validators/deploy'
import { openEventStream, wantsEventStream } from '#lib/sse'
import { streamDeploymentLogs } from '#services/deploy_log_stream'

/** A log id sent back by the client, when it is one. */
function lastSeen(value: unknown): number | null {
  const id = Number(value)
  return value !== undefined && value !== null && value !== '' && Number.isSafeInteger(id) && id >= 0 ? id : null
}

@inject()
export default class DeploymentsController {
  constructor(
    private projects: ProjectService,
    private deploys: DeployService
  ) {}

  async index({ auth, params }: HttpContext) {
    const project = await this.projects.find(auth.getUserOrFail(), Number(params.id))
    const deployments = await Deployment.query().where('project_id', project.id).orderBy('id', 'desc').limit(100)
    return { deployments: deployments.map(presentDeployment) }
  }

  async store({ auth, params, request, response, bouncer }: HttpContext) {
    const user = auth.getUserOrFail()
    const project = await this.projects.find(user, Number(params.id))
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const input = await request.validateUsing(createDeploymentValidator)
    const deployment = await this.deploys.create(project, user, input)
    return response.accepted({ deployment: presentDeployment(deployment) })
  }

  async show({ auth, params }: HttpContext) {
    return { deployment: presentDeployment(await this.deploys.find(auth.getUserOrFail(), Number(params.id))) }
  }

  /**
   * The logs as JSON (`?after=` the last id seen; `dropped`: the "… N lines
   * dropped" line, whatever its id, or null), or streamed live as
   * Server-Sent Events when the client asks for text/event-stream
   * (resuming after Last-Event-ID).
   */
  async logs(ctx: HttpContext) {
    const { auth, params, request } = ctx
    const deployment = await this.deploys.find(auth.getUserOrFail(), Number(params.id))
    const after = lastSeen(request.header('last-event-id')) ?? lastSeen(request.input('after')) ?? 0
    if (wantsEventStream(ctx)) {
      void streamDeploymentLogs(deployment.id, openEventStream(ctx), after)
      return
    }
    const dropped = deployment.logLinesDropped > 0 ? await this.deploys.droppedMarker(deployment) : null
    return { status: deployment.status, logs: await this.deploys.logs(deployment, after), dropped }
  }

  async stop({ auth, params, bouncer }: HttpContext) {
    const deployment = await this.deploys.find(auth.getUserOrFail(), Number(params.id))
    const project = await this.projects.find(auth.getUserOrFail(), deployment.projectId)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    return { deployment: presentDeployment(await this.deploys.stop(deployment)) }
  }

  /**
   * Deploys the version of an earlier deployment again, as a new deployment.
   */
  async rollback({ auth, params, request, response, bouncer }: HttpContext) {
    const user = auth.getUserOrFail()
    const earlier = await this.deploys.find(user, Number(params.id))
    const project = await this.projects.find(user, earlier.projectId)
    await bouncer.with(ProjectPolicy).authorize('edit', project)
    const { accept_data_loss } = await request.validateUsing(rollbackDeploymentValidator)
    const deployment = await this.deploys.create(project, user, { environment: earlier.environment, target: earlier.target, version: earlier.version, accept_data_loss })
    return response.accepted({ deployment: presentDeployment(deployment) })
  }
}
