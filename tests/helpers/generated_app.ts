import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Project from '#models/project'
import ProjectFilesService from '#services/project_files_service'
import { projectEnv } from '#services/module_operations'
import { CONFIG_FILE, composeApp, loadCatalogue } from '#modules/composer'
import { freePort } from '#tests/helpers/platform_process'

/**
 * Runs a project's current version the way a deploy target would: its
 * files written to a fresh folder, its environment (generated secrets) from
 * the platform, `node server.js` on a free port, ready when /health answers.
 */
export async function runProjectApp(projectId: number) {
  const project = await Project.findOrFail(projectId)
  const files = new ProjectFilesService()
  const repo = await files.ensureRepository(project)
  const dir = mkdtempSync(join(tmpdir(), 'xbasis-app-'))
  await files.writeVersionTo(project, dir)
  const env = await projectEnv(project.id)
  const port = await freePort()
  let output = ''
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH!, ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (c) => (output += c))
  child.stderr!.on('data', (c) => (output += c))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  while (true) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`the app did not answer /health:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  // The documented routes of the app's modules, parameters filled in.
  const config = (await repo.readFile(CONFIG_FILE))!
  const composed = composeApp(await loadCatalogue(), [], { existing: new Map([[CONFIG_FILE, config.toString()]]), random: () => Buffer.alloc(32) })

  return {
    url,
    env,
    dir,
    modules: composed.modules,
    routes: composed.routes,
    output: () => output,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on('exit', resolve)))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
