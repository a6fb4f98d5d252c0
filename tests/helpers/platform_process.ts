import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Variables a newcomer's shell would not have: everything that configures
 * xBasis is removed so the child runs on the embedded default.
 */
export const CONFIG_VARS = /^(NODE_ENV|PORT|HOST|APP_[A-Z_]+|LOG_LEVEL|DATA_DIR|XBASIS_[A-Z_]+|MIGRATE_ON_START|COOKIE_SECURE|DB_CONNECTION|PG_[A-Z_]+|REDIS_[A-Z_]+|SMTP_[A-Z_]+|MAIL_FROM)$/

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export type PlatformProcess = {
  child: ChildProcess
  url: string
  output: () => string
  stop: () => Promise<number | null>
}

/**
 * Starts the platform the way the README tells a newcomer to (`npm start`,
 * i.e. bin/start.js), with no configuration but a port and a data folder,
 * and waits until /health/ready answers.
 */
export async function startPlatform(options: { dataDir: string; env?: Record<string, string>; timeoutMs?: number }): Promise<PlatformProcess> {
  const port = await freePort()
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !CONFIG_VARS.test(key)) env[key] = value
  }
  Object.assign(env, { PORT: String(port), DATA_DIR: options.dataDir }, options.env)

  let output = ''
  const child = spawn(process.execPath, ['bin/start.js'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.timeoutMs ?? 180_000)
  while (true) {
    if (child.exitCode !== null) throw new Error(`the platform exited with ${child.exitCode}:\n${output}`)
    try {
      const response = await fetch(`${url}/health/ready`)
      if (response.status === 200) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the platform did not become ready:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }

  return {
    child,
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** The processes whose working directory starts with `dir` (apps of a platform's DATA_DIR), with their parents. */
export function processesIn(dir: string): { pid: number; ppid: number }[] {
  return readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return []
    try {
      if (!`${readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(dir)) return []
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return [{ pid: Number(pid), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) }]
    } catch {
      return []
    }
  })
}

/** A test's teardown: the platform stopped, every app left in its data folder killed, the folder removed. */
export async function removePlatform(platform: PlatformProcess | null, dataDir: string) {
  await platform?.stop()
  for (const { pid } of processesIn(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  rmSync(dataDir, { recursive: true, force: true })
}
