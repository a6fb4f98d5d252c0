import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { DeployHandle, DeployInput, DeployStatus, DeployTarget, LogLine } from '#deploy/contract'

/**
 * An in-memory deploy target for billing tests (registered with
 * `deploy.fake(id, target)`): keeps what each deploy received (the files of
 * the version) and which apps run, so a test can tell what was started,
 * stopped and started again, without running the apps.
 */
export class SimDeployTarget implements DeployTarget {
  running = new Map<string, { files: Record<string, string> }>()
  deployed: { deploymentId: string; files: Record<string, string> }[] = []
  stopped: string[] = []

  async deploy(input: DeployInput, log: (line: LogLine) => void): Promise<DeployHandle> {
    const files: Record<string, string> = {}
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else files[relative(input.appDir, path)] = readFileSync(path, 'utf8')
      }
    }
    walk(input.appDir)
    const id = `sim-${input.deploymentId}`
    this.running.set(id, { files })
    this.deployed.push({ deploymentId: input.deploymentId, files })
    log({ at: new Date().toISOString(), stream: 'build', text: `sim: ${Object.keys(files).length} files` })
    return { id, url: `https://${id}.sim.test`, data: {} }
  }

  async status(handle: DeployHandle): Promise<DeployStatus> {
    return this.running.has(handle.id) ? { state: 'live' } : { state: 'stopped', reason: 'not running' }
  }

  async logs(): Promise<LogLine[]> {
    return []
  }

  async stop(handle: DeployHandle) {
    if (this.running.delete(handle.id)) this.stopped.push(handle.id)
  }

  async destroy(handle: DeployHandle) {
    this.running.delete(handle.id)
  }
}
