import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import { errors as lucidErrors } from '@adonisjs/lucid'
import xbasis from '#config/xbasis'
import Project from '#models/project'
import User from '#models/user'
import { dbTime } from '#lib/db_time'
import { ProjectRepository, type ChangeOp, type CommitMeta } from '#workspace/project_repository'
import { InvalidPathError, PushError, VersionNotFoundError } from '#workspace/errors'
import logger from '@adonisjs/core/services/logger'
import { pathProblem, DEFAULT_LIMITS } from '#workspace/paths'

export class FileRequestError extends Error {
  constructor(
    message: string,
    public status: number,
    public code: string
  ) {
    super(message)
  }
}

/**
 * The project path named by the segments of a `files/*` URL. Each segment is
 * percent-decoded exactly once (the editor encodes each with
 * encodeURIComponent), then the whole path is validated like any other: a
 * `%` left after decoding is part of the name (`100%25.txt` is `100%.txt`),
 * an encoded `/` separates folders like a real one, and an encoded `..`,
 * backslash or control character is refused as if it had been typed.
 */
export function filePathFromUrl(segments: string[] | undefined): string {
  try {
    return (segments ?? []).map((segment) => decodeURIComponent(segment)).join('/')
  } catch {
    throw new FileRequestError('Invalid path: it is not valid percent-encoding of UTF-8 text', 422, 'invalid_path')
  }
}

function looksBinary(buffer: Buffer) {
  return buffer.subarray(0, 8000).includes(0)
}

/**
 * A project's files: the git repository behind them (one bare repository
 * per project in DATA_DIR/projects), the user's locks, manual edits,
 * versions, restore, export and push. The chat applies AI turns through
 * `applyOperations`.
 */
export default class ProjectFilesService {
  repository(project: Project) {
    return new ProjectRepository(xbasis.paths.projects, project.id, { pushNetworks: xbasis.push.allowedNetworks })
  }

  async ensureRepository(project: Project) {
    const repo = this.repository(project)
    await repo.init()
    return repo
  }

  author(user: User | null): CommitMeta['author'] {
    return user ? { name: user.fullName || user.email, email: user.email } : { name: 'xBasis', email: 'xbasis@localhost' }
  }

  async locks(project: Project): Promise<Set<string>> {
    const rows = await db.from('project_file_locks').where('project_id', project.id).select('path')
    return new Set(rows.map((row) => row.path))
  }

  async listFiles(project: Project) {
    const repo = await this.ensureRepository(project)
    const [files, locks, version] = await Promise.all([repo.listFiles(), this.locks(project), repo.head()])
    return {
      version,
      files: files.map((file) => ({ path: file.path, size: file.size, locked: locks.has(file.path) })),
    }
  }

  #checkPath(path: string) {
    const problem = pathProblem(path, DEFAULT_LIMITS)
    if (problem) throw new FileRequestError(`Invalid path "${path.slice(0, 100)}": ${problem}`, 422, 'invalid_path')
  }

  async readFile(project: Project, path: string) {
    this.#checkPath(path)
    const repo = await this.ensureRepository(project)
    const content = await repo.readFile(path)
    if (!content) throw new lucidErrors.E_ROW_NOT_FOUND()
    const binary = looksBinary(content)
    return {
      path,
      version: await repo.head(),
      size: content.length,
      binary,
      content: binary ? null : content.toString('utf8'),
      locked: (await this.locks(project)).has(path),
    }
  }

  /**
   * A manual edit: one commit. Locks keep the model out, not the user.
   */
  async saveFile(project: Project, user: User, path: string, content: string) {
    this.#checkPath(path)
    const bytes = Buffer.byteLength(content, 'utf8')
    if (bytes > DEFAULT_LIMITS.maxFileBytes) {
      const mib = DEFAULT_LIMITS.maxFileBytes / (1024 * 1024)
      throw new FileRequestError(`A file may hold at most ${mib} MiB (${DEFAULT_LIMITS.maxFileBytes} bytes); this one is ${bytes} bytes`, 413, 'file_too_large')
    }
    const repo = await this.ensureRepository(project)
    const result = await repo.applyChanges([{ op: 'write', path, content }], { message: `Edit ${path}`, author: this.author(user), kind: 'manual-edit' }, { allOrNothing: true })
    if (result.refused.length) throw new FileRequestError(result.refused[0].reason, 422, 'refused')
    return { version: result.version, committed: result.committed }
  }

  async setLock(project: Project, user: User, path: string, locked: boolean) {
    this.#checkPath(path)
    await db.transaction(async (trx) => {
      await trx.from('project_file_locks').where({ project_id: project.id, path }).delete()
      if (locked) await trx.table('project_file_locks').insert({ project_id: project.id, path, user_id: user.id, created_at: dbTime() })
    })
  }

  async versions(project: Project) {
    const repo = await this.ensureRepository(project)
    return repo.versions({ limit: 200 })
  }

  async diff(project: Project, version: string) {
    const repo = await this.ensureRepository(project)
    try {
      const diff = await repo.diff(version)
      return diff.files.map((file) => ({ path: file.path, status: file.status, added: file.added, removed: file.removed, binary: file.binary, diff: file.patch ?? '' }))
    } catch (error) {
      if (error instanceof VersionNotFoundError || error instanceof InvalidPathError) throw new lucidErrors.E_ROW_NOT_FOUND()
      throw error
    }
  }

  async restore(project: Project, user: User, version: string) {
    const repo = await this.ensureRepository(project)
    try {
      return await repo.restore(version, { message: `Restore version ${version.slice(0, 7)}`, author: this.author(user) })
    } catch (error) {
      if (error instanceof VersionNotFoundError) throw new lucidErrors.E_ROW_NOT_FOUND()
      throw error
    }
  }

  async exportZip(project: Project): Promise<Readable> {
    const repo = await this.ensureRepository(project)
    if (!(await repo.head())) throw new FileRequestError('The project has no files yet', 409, 'empty_project')
    return repo.exportZip(undefined, { prefix: project.slug })
  }

  /**
   * Pushes main to the user's remote. The token is kept encrypted for the
   * next push; it is never returned or logged.
   */
  async push(project: Project, input: { url: string; token?: string; branch?: string }) {
    const repo = await this.ensureRepository(project)
    if (!(await repo.head())) throw new FileRequestError('The project has no files yet', 409, 'empty_project')
    const token = input.token ?? (project.remoteToken ? encryption.decrypt<string>(project.remoteToken) : null)
    if (!token) throw new FileRequestError('A token is needed to push to this remote', 422, 'token_required')
    let result
    try {
      result = await repo.pushTo(input.url, token, { branch: input.branch })
    } catch (error) {
      // The user gets a generic message; git's own words (scrubbed of the token) are for the operator.
      if (error instanceof PushError) logger.warn({ projectId: project.id, detail: error.detail }, error.message)
      throw error
    }
    project.remoteUrl = input.url
    project.repoUrl = input.url
    if (input.token) project.remoteToken = encryption.encrypt(input.token)
    await project.save()
    return { branch: result.branch, version: result.version, remote_url: input.url }
  }

  /**
   * Writes a version's files (the head by default) into `dir`: what a
   * deploy builds from, what a test runs.
   */
  async writeVersionTo(project: Project, dir: string, version?: string) {
    const repo = await this.ensureRepository(project)
    for (const file of await repo.readAllFiles(version)) {
      const target = join(dir, file.path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, file.content, { mode: file.mode === '100755' ? 0o755 : 0o644 })
    }
  }

  /**
   * Applies the file operations of an AI turn as one commit (or none).
   */
  async applyOperations(project: Project, user: User | null, ops: ChangeOp[], meta: { message: string; turn: string }) {
    const repo = await this.ensureRepository(project)
    const result = await repo.applyChanges(ops, { message: meta.message, turn: meta.turn, author: this.author(user), kind: 'ai-turn' }, { locked: await this.locks(project), allOrNothing: true })
    if (result.committed && !project.repoUrl) {
      project.repoUrl = `file://${join(xbasis.paths.projects, `${project.id}.git`)}`
      await project.save()
    }
    return result
  }
}
