import type { apiAccount } from '#tests/helpers/ai'

type Account = Awaited<ReturnType<typeof apiAccount>>

/**
 * Polls a deployment through the API until its status is one of `states`
 * (default: an end, live or failed), and answers it; on timeout, fails
 * with the deployment's logs so the reason is in the test's output.
 */
export async function waitForDeployment(account: Account, id: number, states: string[] = ['live', 'failed'], ms = 60_000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const { body } = await account.json('GET', `/api/v1/deployments/${id}`)
    if (states.includes(body.deployment.status)) return body.deployment
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const { body } = await account.json('GET', `/api/v1/deployments/${id}/logs`)
  const lines = Array.isArray(body?.logs) ? body.logs.map((line: { text: string }) => line.text).join('\n') : ''
  throw new Error(`deployment ${id} never reached ${states.join('/')}:\n${lines}`)
}

/**
 * Points the docker deploy target at the test engine (started once) for a
 * group: its variables are set and the built drivers flushed; the returned
 * function puts the environment back. Use as `group.setup(useTestDockerTarget(...))`.
 */
export function useTestDockerTarget(onEngine: (engine: import('#tests/helpers/docker').TestDocker) => void = () => {}) {
  return async () => {
    const { testDocker } = await import('#tests/helpers/docker')
    const { default: deploy } = await import('#deploy/deploy_manager')
    const engine = await testDocker()
    onEngine(engine)
    const saved: Record<string, string | undefined> = {}
    for (const [key, value] of Object.entries(engine.env)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
    deploy.flush()
    return () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
      }
      deploy.flush()
    }
  }
}
