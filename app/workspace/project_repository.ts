import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { planChanges, type ChangeOp, type PlannedFile, type Refusal, type TreeFile } from './change_plan.js'
import { combineDiff, parseNameStatus, parseNumstat, splitPatch, type FileDiff } from './diff.js'
import {
  GitCommandError,
  InvalidPathError,
  InvalidRemoteError,
  PushError,
  RepositoryConflictError,
  RepositoryError,
  RepositoryNotInitializedError,
  VersionNotFoundError,
} from './errors.js'
import { DEFAULT_TIMEOUT_MS, runGit, scrub, streamGit, type GitRunOptions } from './git.js'
import { runExclusive } from './keyed_queue.js'
import { DEFAULT_LIMITS, pathProblem, type RepositoryLimits } from './paths.js'
import { checkBranch, checkRemoteUrl, checkToken, PLAIN_HTTP_REFUSED, pushCredentials } from './remote.js'
import { PUBLIC_ONLY, resolvePushTarget, type Lookup, type PushNetworkPolicy } from './push_network.js'

/**
 * The files of one project, versioned: a bare git repository at
 * `<root>/<projectId>.git` whose branch `main` is the current version. Every
 * AI turn, manual edit and restore is one commit on it.
 *
 *   const repo = new ProjectRepository(join(dataDir, 'projects'), project.id)
 *   await repo.init()                          // idempotent; makes no commit
 *   await repo.exists()                        // the repository is there
 *   await repo.head()                          // sha of main, or null before the first change
 *   await repo.listFiles(version?)             // [{ path, size, mode }]
 *   await repo.readFile(path, version?)        // Buffer, or null when there is no such file
 *   await repo.applyChanges(ops, meta, { allOrNothing?, locked? })
 *                                              // { version, committed, applied, refused }
 *   await repo.versions({ limit?, before? })   // newest first: [{ version, parent, message, kind, turn, author, date, stats }]
 *   await repo.diff(version)                   // { version, parent, files: [{ path, oldPath?, status, added, removed,
 *                                              //   binary, patch, truncated }] }
 *   await repo.restore(version, meta)          // { version, committed }: a new commit with that version's files
 *   await repo.exportZip(version?, { prefix? })// Readable stream of a zip (git archive)
 *   await repo.pushTo(remoteUrl, token, { branch?, username?, force? })
 *                                              // { branch, version, output }: main pushed to an http(s) remote
 *   await repo.maintain()                      // git gc --auto, for a periodic job
 *
 * ops: { op: 'write', path, content } (string or Buffer), { op: 'edit', path,
 * search, replace } (exactly one occurrence), { op: 'delete', path },
 * { op: 'rename', from, to }. meta: { message, author: { name, email },
 * kind?: 'ai-turn' | 'manual-edit' | 'restore', turn? }, written as the commit
 * message plus the trailers `Xbasis-Kind:` and `Xbasis-Turn:`.
 *
 * Design:
 * - No working tree. Files are read with ls-tree / cat-file and new versions
 *   are built with plumbing in a temporary index, so no crash can leave a
 *   half-written file: a turn becomes one commit, or nothing.
 * - `main` only moves through `update-ref main <new> <old>`, a compare-and-
 *   swap: when another process committed in between, the apply fails with
 *   RepositoryConflictError and main keeps the other change. Within this
 *   process, changes of one project are queued, so they never conflict.
 *   Killing the process before update-ref leaves main untouched (at most some
 *   unreferenced objects and a scratch folder remain; maintain() sweeps them).
 * - Operations are checked in memory against the parent version before any
 *   object is written (see change_plan.ts and paths.ts). By default a refused
 *   operation is skipped and reported while the valid ones are committed;
 *   with `allOrNothing` any refusal leaves the project unchanged. When nothing
 *   valid remains, or the valid operations change nothing, no commit is made
 *   (`committed: false`, `version` is the unchanged head).
 * - Versions are full commit shas. Only hex shas are accepted as versions, so
 *   no caller-provided text ever reaches git as an option or a revision expression.
 * - Pushes only go to https:// remotes on public addresses, checked after DNS
 *   resolution and pinned for git (push_network.ts); the `pushNetworks`
 *   option admits the operator's own networks, where http:// is allowed too
 *   (anywhere with `allowPlainHttp`). Local paths and file:// are refused, as
 *   a push from the server to a local path could write anywhere the platform
 *   can. The token never appears in argv, errors or returned output (see
 *   remote.ts); a failure's message is generic, git's words are in `detail`.
 */

export type CommitKind = 'ai-turn' | 'manual-edit' | 'restore'
export type { ChangeOp, Refusal } from './change_plan.js'
export type { FileDiff } from './diff.js'

export interface CommitMeta {
  /** The first line is the commit subject; further lines become its body. */
  message: string
  author: { name: string; email: string }
  /** Default: `ai-turn` for applyChanges, always `restore` for restore. */
  kind?: CommitKind
  /** The chat turn (or edit) this version comes from: letters, digits and `._:-`. */
  turn?: string
}

export interface ApplyOptions {
  /** Refuse the whole turn when any operation is refused (default: skip refused ones). */
  allOrNothing?: boolean
  /** Paths (files or folders) that no operation may touch. */
  locked?: Iterable<string>
}

export interface ApplyResult {
  /** The head after the call: the new commit, or the unchanged head (null in an empty repository). */
  version: string | null
  committed: boolean
  /** One line per applied operation, in order: `write a.txt`, `rename a -> b`. */
  applied: string[]
  refused: Refusal[]
}

export interface FileInfo {
  path: string
  size: number
  /** git mode: `100644`, `100755` (executable), `120000` (symbolic link). */
  mode: string
}

export interface VersionInfo {
  version: string
  parent: string | null
  message: string
  kind: CommitKind | null
  turn: string | null
  author: { name: string; email: string }
  /** ISO 8601 author date. */
  date: string
  stats: { files: number; additions: number; deletions: number }
}

export interface VersionDiff {
  version: string
  parent: string | null
  files: FileDiff[]
}

export interface PushOptions {
  /** Remote branch to update (default `main`). */
  branch?: string
  /** User name for HTTP Basic auth (default `x-access-token`, what GitHub expects with a token). */
  username?: string
  /** Overwrite the remote branch even when it has commits we do not have. */
  force?: boolean
  timeoutMs?: number
}

export interface PushResult {
  branch: string
  version: string
  /** git's report, scrubbed of any secret. */
  output: string
}

/** Test seams: pause or observe an apply at its critical points (crash tests). */
export interface RepositoryHooks {
  afterBlobsWritten?: (count: number) => void | Promise<void>
  beforeUpdateRef?: (commit: string) => void | Promise<void>
  onSpawn?: (args: readonly string[]) => void
}

export interface ProjectRepositoryOptions {
  limits?: Partial<RepositoryLimits>
  /** Time limit of one local git command (default 60 s). */
  timeoutMs?: number
  /** Time limit of a push (default 120 s). */
  pushTimeoutMs?: number
  /** Allow http:// remotes anywhere (otherwise only inside `pushNetworks`' allowed networks). */
  allowPlainHttp?: boolean
  /** Networks besides the public internet that pushes may reach (default: none). */
  pushNetworks?: PushNetworkPolicy
  /** Host name resolution for pushes (default: the system resolver). */
  lookup?: Lookup
  hooks?: RepositoryHooks
}

const MAIN = 'refs/heads/main'
const ZERO_SHA = '0'.repeat(40)
const VERSION = /^[0-9a-f]{4,64}$/i
const TURN_ID = /^[A-Za-z0-9._:-]{1,100}$/
const KINDS: CommitKind[] = ['ai-turn', 'manual-edit', 'restore']
const MAX_PATCH_BYTES = 512 * 1024
const SCRATCH_PREFIX = 'xbasis-apply'
const SCRATCH_MAX_AGE_MS = 60 * 60_000

/** Repository config written at init. */
const REPOSITORY_CONFIG: Array<[string, string]> = [
  // A reflog for main: a trace of every version even if a ref were ever overwritten by mistake.
  ['core.logAllRefUpdates', 'always'],
  // Objects and refs reach the disk before update-ref reports success, so even
  // a power loss cannot leave main pointing at a missing object. (Measured:
  // 500 new files ≈ 0.35 s with this, 0.2 s without; fsyncMethod=batch was slower.)
  ['core.fsync', 'objects,reference'],
]

// Attributes from the exported tree must not drop files from the zip or rewrite them.
const INFO_ATTRIBUTES = '* -export-ignore -export-subst\n'

function oneLine(text: string, max: number): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, max)
}

function invalidMeta(reason: string): RepositoryError {
  return new RepositoryError(`invalid commit details: ${reason}`, 'E_INVALID_META')
}

/** Builds the commit message: subject, optional body, then the xBasis trailers. */
function commitMessage(meta: CommitMeta, kind: CommitKind, extra: Array<[string, string]> = []): string {
  if (typeof meta?.message !== 'string') throw invalidMeta('the message is missing')
  const [first, ...rest] = meta.message.replace(/\r\n?/g, '\n').split('\n')
  const subject = oneLine(first, 200) || 'Update files'
  const body = rest
    .join('\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 10_000)
  const trailers: Array<[string, string]> = [['Xbasis-Kind', kind]]
  if (meta.turn !== undefined) trailers.push(['Xbasis-Turn', meta.turn])
  trailers.push(...extra)
  const trailerText = trailers.map(([key, value]) => `${key}: ${value}`).join('\n')
  return [subject, body, trailerText].filter((part) => part !== '').join('\n\n') + '\n'
}

/** Author identity as git environment; git refuses `<`, `>` and line breaks in it. */
function authorEnv(meta: CommitMeta): Record<string, string> {
  const clean = (value: unknown) => (typeof value === 'string' ? oneLine(value.replace(/[<>]/g, ''), 200) : '')
  const name = clean(meta?.author?.name)
  const email = clean(meta?.author?.email)
  if (!name) throw invalidMeta('the author name is missing')
  if (!email) throw invalidMeta('the author e-mail is missing')
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email }
}

function checkMeta(meta: CommitMeta, kind: CommitKind) {
  if (!KINDS.includes(kind)) throw invalidMeta(`unknown kind ${JSON.stringify(kind)}`)
  if (meta.turn !== undefined && (typeof meta.turn !== 'string' || !TURN_ID.test(meta.turn))) {
    throw invalidMeta('the turn id may only contain letters, digits and . _ : -')
  }
}

export class ProjectRepository {
  readonly projectId: string
  readonly gitDir: string
  private readonly limits: RepositoryLimits
  private readonly timeoutMs: number
  private readonly hooks: RepositoryHooks

  constructor(
    readonly root: string,
    projectId: string | number,
    private readonly options: ProjectRepositoryOptions = {}
  ) {
    this.projectId = String(projectId)
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(this.projectId)) {
      throw new RepositoryError('invalid project id', 'E_INVALID_PROJECT')
    }
    this.gitDir = join(resolve(root), `${this.projectId}.git`)
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.hooks = options.hooks ?? {}
  }

  private git(args: string[], options: GitRunOptions = {}) {
    return runGit(args, { gitDir: this.gitDir, timeoutMs: this.timeoutMs, onSpawn: this.hooks.onSpawn, ...options })
  }

  private async gitText(args: string[], options: GitRunOptions = {}): Promise<string> {
    return (await this.git(args, options)).stdout.toString('utf8')
  }

  private async ensureExists() {
    if (!(await this.exists())) throw new RepositoryNotInitializedError(this.projectId)
  }

  async exists(): Promise<boolean> {
    try {
      return (await stat(join(this.gitDir, 'HEAD'))).isFile()
    } catch {
      return false
    }
  }

  /**
   * Creates the bare repository (no commit yet). It is built under a temporary
   * name and renamed into place, so a crash never leaves a half-made one and
   * two processes initializing at once both end up with the same repository.
   */
  async init(): Promise<void> {
    if (await this.exists()) return
    await mkdir(this.root, { recursive: true })
    const temp = await mkdtemp(join(this.root, `.${this.projectId}.git.init-`))
    try {
      await runGit(['init', '--bare', '--quiet', '--initial-branch=main', '--template=', temp], {
        onSpawn: this.hooks.onSpawn,
      })
      for (const [key, value] of REPOSITORY_CONFIG) {
        await runGit(['config', key, value], { gitDir: temp, onSpawn: this.hooks.onSpawn })
      }
      await mkdir(join(temp, 'info'), { recursive: true })
      await writeFile(join(temp, 'info', 'attributes'), INFO_ATTRIBUTES)
      await rename(temp, this.gitDir)
    } catch (error) {
      await rm(temp, { recursive: true, force: true })
      // Lost the race to another process: its repository is as good as ours.
      if (!(await this.exists())) throw error
    }
  }

  /** The current version (sha of main), or null while the project has no commit. */
  async head(): Promise<string | null> {
    await this.ensureExists()
    const result = await this.git(['rev-parse', '--verify', '--quiet', MAIN], { okExitCodes: [0, 1] })
    return result.exitCode === 0 ? result.stdout.toString('utf8').trim() : null
  }

  /** The full sha of a version; the head when none is given (null if there is none yet). */
  private async resolveVersion(version?: string): Promise<string | null> {
    if (version === undefined) return this.head()
    await this.ensureExists()
    if (typeof version !== 'string' || !VERSION.test(version)) throw new VersionNotFoundError(String(version))
    const result = await this.git(['rev-parse', '--verify', '--quiet', `${version}^{commit}`], {
      okExitCodes: [0, 1, 128],
    })
    if (result.exitCode !== 0) throw new VersionNotFoundError(version)
    return result.stdout.toString('utf8').trim()
  }

  /** Every file of a commit (blobs and submodule links; folders are implied by the paths). */
  private async treeFiles(commit: string | null): Promise<Map<string, TreeFile>> {
    const files = new Map<string, TreeFile>()
    if (!commit) return files
    const output = await this.gitText(['ls-tree', '-r', '-l', '-z', '--full-tree', commit])
    for (const record of output.split('\0')) {
      if (record === '') continue
      const tab = record.indexOf('\t')
      const [mode, , sha, size] = record.slice(0, tab).split(/ +/)
      files.set(record.slice(tab + 1), { mode, sha, size: size === '-' ? null : Number(size) })
    }
    return files
  }

  async listFiles(version?: string): Promise<FileInfo[]> {
    const commit = await this.resolveVersion(version)
    const files = await this.treeFiles(commit)
    return [...files].map(([path, entry]) => ({ path, size: entry.size ?? 0, mode: entry.mode }))
  }

  /** The content of a regular file, or null when the path is missing, a folder or a symbolic link. */
  async readFile(path: string, version?: string): Promise<Buffer | null> {
    const problem = pathProblem(path, this.limits)
    if (problem) throw new InvalidPathError(problem)
    const commit = await this.resolveVersion(version)
    if (!commit) return null
    const listing = await this.gitText(['ls-tree', '-z', '--full-tree', commit, '--', path])
    const entry = listing.split('\0').find((record) => record.slice(record.indexOf('\t') + 1) === path)
    if (!entry) return null
    const [mode, type, sha] = entry.slice(0, entry.indexOf('\t')).split(' ')
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755')) return null
    return (await this.git(['cat-file', 'blob', sha])).stdout
  }

  /**
   * Every regular file of a version with its content, read with one
   * `ls-tree` and one `cat-file --batch` (not two git processes per file):
   * what deploys export. Symbolic links and submodules are left out, as
   * `readFile` leaves them out.
   */
  async readAllFiles(version?: string): Promise<{ path: string; mode: string; content: Buffer }[]> {
    const commit = await this.resolveVersion(version)
    const regular = [...(await this.treeFiles(commit))].filter(([, entry]) => entry.mode === '100644' || entry.mode === '100755')
    if (regular.length === 0) return []
    const output = (await this.git(['cat-file', '--batch'], { input: regular.map(([, entry]) => entry.sha).join('\n') + '\n' })).stdout
    const files: { path: string; mode: string; content: Buffer }[] = []
    let offset = 0
    for (const [path, entry] of regular) {
      const headerEnd = output.indexOf(0x0a, offset)
      const [sha, type, size] = output.subarray(offset, headerEnd).toString('utf8').split(' ')
      if (sha !== entry.sha || type !== 'blob') throw new Error(`git cat-file --batch answered ${sha} ${type} for ${entry.sha}`)
      const start = headerEnd + 1
      const end = start + Number(size)
      files.push({ path, mode: entry.mode, content: output.subarray(start, end) })
      offset = end + 1
    }
    return files
  }

  /**
   * Applies a turn's operations as one commit on main (see the design notes
   * above for what happens to refused operations).
   */
  async applyChanges(ops: readonly ChangeOp[], meta: CommitMeta, options: ApplyOptions = {}): Promise<ApplyResult> {
    const kind = meta?.kind ?? 'ai-turn'
    checkMeta(meta, kind)
    const message = commitMessage(meta, kind)
    const author = authorEnv(meta)
    if (!Array.isArray(ops)) throw new RepositoryError('the operations must be a list', 'E_INVALID_OPERATIONS')
    const locked = new Set(options.locked ?? [])
    await this.ensureExists()

    return runExclusive(this.gitDir, async () => {
      const parent = await this.head()
      const parentFiles = await this.treeFiles(parent)
      const plan = await planChanges(ops, parentFiles, {
        limits: this.limits,
        locked,
        readBlob: async (sha) => (await this.git(['cat-file', 'blob', sha])).stdout,
      })
      const unchanged = { version: parent, committed: false, applied: plan.applied, refused: plan.refused }
      if (plan.refused.length > 0 && options.allOrNothing) return { ...unchanged, applied: [] }
      if (plan.applied.length === 0) return unchanged

      const tree = await this.writeTree(parent, parentFiles, plan.files)
      if (parent && tree === (await this.treeOf(parent))) return unchanged
      const version = await this.commit(tree, parent, message, author)
      return { version, committed: true, applied: plan.applied, refused: plan.refused }
    })
  }

  /**
   * Writes the new blobs and the tree of the planned files, in a temporary
   * index seeded with the parent's tree. Only unreferenced objects are
   * created here: until update-ref, the project has not changed.
   */
  private async writeTree(
    parent: string | null,
    before: Map<string, TreeFile>,
    after: Map<string, PlannedFile>
  ): Promise<string> {
    // Inside the repository: a process killed here leaves its scratch files with
    // the project (swept by maintain()), never in the machine's /tmp.
    const dir = await mkdtemp(join(this.gitDir, `${SCRATCH_PREFIX}-`))
    try {
      // New contents go through files and one `hash-object --stdin-paths`:
      // one process for the whole turn instead of one per file.
      const fresh = [...after].filter(([, file]) => file.content !== null)
      const blobPaths = fresh.map((_, index) => join(dir, `blob-${index}`))
      await Promise.all(fresh.map(([, file], index) => writeFile(blobPaths[index], file.content!)))
      const hashed = fresh.length
        ? await this.gitText(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: blobPaths.join('\n') + '\n' })
        : ''
      const shas = hashed.trim().split('\n').filter(Boolean)
      if (shas.length !== fresh.length) throw new RepositoryError('git hash-object lost some files', 'E_GIT')
      await this.hooks.afterBlobsWritten?.(shas.length)

      // Removals first, so that a file replaced by a folder of the same name (or the reverse) never collides.
      const records: string[] = []
      for (const path of before.keys()) {
        if (!after.has(path)) records.push(`0 ${ZERO_SHA}\t${path}\0`)
      }
      const freshSha = new Map(fresh.map(([path], index) => [path, shas[index]]))
      for (const [path, file] of after) {
        const sha = freshSha.get(path) ?? file.sha!
        const old = before.get(path)
        if (!old || old.sha !== sha || old.mode !== file.mode) records.push(`${file.mode} ${sha}\t${path}\0`)
      }

      const env = { GIT_INDEX_FILE: join(dir, 'index') }
      if (parent) await this.git(['read-tree', parent], { env })
      await this.git(['update-index', '-z', '--index-info'], { env, input: records.join('') })
      return (await this.gitText(['write-tree'], { env })).trim()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  private async treeOf(commit: string): Promise<string> {
    return (await this.gitText(['rev-parse', '--verify', `${commit}^{tree}`])).trim()
  }

  /** Creates the commit and moves main to it, only if main is still `parent`. */
  private async commit(
    tree: string,
    parent: string | null,
    message: string,
    author: Record<string, string>
  ): Promise<string> {
    const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : [])]
    const version = (await this.gitText(args, { input: message, env: author })).trim()
    await this.hooks.beforeUpdateRef?.(version)
    try {
      await this.git(['update-ref', '-m', 'xbasis: new version', MAIN, version, parent ?? ZERO_SHA])
    } catch (error) {
      if (!(error instanceof GitCommandError)) throw error
      if ((await this.head()) !== parent) throw new RepositoryConflictError()
      if (/File exists|unable to create.*\.lock/i.test(error.detail)) {
        throw new RepositoryConflictError(
          'the project is being saved by another process (or a crashed one left refs/heads/main.lock ' +
            'behind); nothing was written'
        )
      }
      throw error
    }
    return version
  }

  /** Newest first; `before` pages on from a version (exclusive). */
  async versions(options: { limit?: number; before?: string } = {}): Promise<VersionInfo[]> {
    const limit = Math.min(Math.max(Math.floor(options.limit ?? 50), 1), 1000)
    const start = await this.resolveVersion(options.before)
    if (!start) return []
    const format = [
      '%x1e%H',
      '%P',
      '%an',
      '%ae',
      '%aI',
      '%s',
      '%(trailers:key=Xbasis-Kind,valueonly,separator=%x2C)',
      '%(trailers:key=Xbasis-Turn,valueonly,separator=%x2C)',
      '',
    ].join('%x00')
    const args = ['log', `--format=${format}`, '--shortstat', `--max-count=${limit}`]
    if (options.before) args.push('--skip=1')
    const output = await this.gitText([...args, start, '--'])

    return output
      .split('\x1e')
      .filter((record) => record !== '')
      .map((record) => {
        const [version, parents, name, email, date, message, kind, turn, stat] = record.split('\0')
        const number = (pattern: RegExp) => Number(pattern.exec(stat ?? '')?.[1] ?? 0)
        return {
          version,
          parent: parents.split(' ')[0] || null,
          message,
          kind: (KINDS as string[]).includes(kind.trim()) ? (kind.trim() as CommitKind) : null,
          turn: turn.trim() || null,
          author: { name, email },
          date,
          stats: {
            files: number(/(\d+) files? changed/),
            additions: number(/(\d+) insertions?\(\+\)/),
            deletions: number(/(\d+) deletions?\(-\)/),
          },
        }
      })
  }

  /** What a version changed, file by file, against its parent (everything is "added" in the first one). */
  async diff(version: string): Promise<VersionDiff> {
    const commit = await this.resolveVersion(version)
    if (!commit) throw new VersionNotFoundError('(the project has no version yet)')
    const base = ['diff-tree', '-r', '--root', '-M', '--no-commit-id', '--no-ext-diff', '--no-textconv']
    const [names, counts, patch, parents] = await Promise.all([
      this.gitText([...base, '-z', '--name-status', commit]),
      this.gitText([...base, '-z', '--numstat', commit]),
      this.gitText([...base, '-p', '--no-color', commit]),
      this.gitText(['rev-list', '--parents', '-n', '1', commit]),
    ])
    return {
      version: commit,
      parent: parents.trim().split(' ')[1] ?? null,
      files: combineDiff(parseNameStatus(names), parseNumstat(counts), splitPatch(patch), MAX_PATCH_BYTES),
    }
  }

  /**
   * Makes a new version whose files are exactly those of `version`; the
   * history in between is kept. Restoring the current files commits nothing.
   */
  async restore(version: string, meta: CommitMeta): Promise<{ version: string; committed: boolean }> {
    const target = (await this.resolveVersion(version))!
    checkMeta(meta, 'restore')
    const message = commitMessage(meta, 'restore', [['Xbasis-Restored-From', target]])
    const author = authorEnv(meta)
    return runExclusive(this.gitDir, async () => {
      const parent = (await this.head())!
      const tree = await this.treeOf(target)
      if (tree === (await this.treeOf(parent))) return { version: parent, committed: false }
      return { version: await this.commit(tree, parent, message, author), committed: true }
    })
  }

  /**
   * A zip of a version's files (the head by default), streamed from
   * `git archive`. `prefix` puts every file under one folder of the zip.
   */
  async exportZip(version?: string, options: { prefix?: string } = {}): Promise<Readable> {
    const commit = await this.resolveVersion(version)
    if (!commit) throw new VersionNotFoundError('(the project has no version yet)')
    const args = ['archive', '--format=zip']
    if (options.prefix !== undefined) {
      if (!/^[A-Za-z0-9._-]{1,100}$/.test(options.prefix) || /^\.+$/.test(options.prefix)) {
        throw new InvalidPathError('invalid zip folder name')
      }
      args.push(`--prefix=${options.prefix}/`)
    }
    return streamGit([...args, commit], { gitDir: this.gitDir, timeoutMs: this.timeoutMs, onSpawn: this.hooks.onSpawn })
  }

  /**
   * Pushes the current version to `refs/heads/<branch>` of an http(s) remote,
   * authenticated with `token` (HTTP Basic), which never appears in argv,
   * errors or the returned output.
   */
  async pushTo(remoteUrl: string, token: string, options: PushOptions = {}): Promise<PushResult> {
    const policy = this.options.pushNetworks ?? PUBLIC_ONLY
    const allowPlainHttp = this.options.allowPlainHttp ?? false
    const url = checkRemoteUrl(remoteUrl, { allowPlainHttp, someNetworksAllowed: policy.allowed.length > 0 })
    checkToken(token)
    const branch = checkBranch(options.branch ?? 'main')
    const username = options.username ?? 'x-access-token'
    if (!/^[A-Za-z0-9._@-]{1,100}$/.test(username)) {
      throw new InvalidRemoteError('the user name for the remote is not valid')
    }
    const version = await this.head()
    if (!version) throw new PushError('the project has no version to push yet')

    // Resolved once and checked; git connects to these addresses only.
    const target = await resolvePushTarget(url, policy, this.options.lookup)
    if (url.startsWith('http:') && !allowPlainHttp && !target.withinAllowedNetworks) {
      throw new InvalidRemoteError(PLAIN_HTTP_REFUSED)
    }

    const host = new URL(url).host
    const credentials = pushCredentials(token, username)
    const refspec = `${options.force ? '+' : ''}${version}:refs/heads/${branch}`
    let result
    try {
      // Exit 1 (rejected) and 128 (auth, network) are reported below.
      result = await this.git(['push', '--porcelain', '--no-verify', url, refspec], {
        config: [...target.config, ...credentials.config],
        secrets: credentials.secrets,
        timeoutMs: options.timeoutMs ?? this.options.pushTimeoutMs ?? 120_000,
        okExitCodes: [0, 1, 128],
      })
    } catch (error) {
      if (error instanceof GitCommandError) throw new PushError(`push to ${host} failed`, error.detail.trim())
      throw error
    }
    const output = scrub(`${result.stdout.toString('utf8')}${result.stderr}`, credentials.secrets).trim()
    if (result.exitCode !== 0) {
      // The user learns what they can act on — a refused token, a branch that
      // moved on — and nothing else: "connection refused", "timed out", a TLS
      // or HTTP error would map out what listens where. git's words go to
      // `detail` (the platform log). The host is named, never the full URL.
      const detail = output.slice(0, 4000)
      if (/could not read Username|Authentication failed|\b40[13]\b/.test(output)) {
        throw new PushError(`push to ${host} failed: the remote refused the access token`, detail)
      }
      if (/\[rejected\]|\[remote rejected\]/.test(output)) {
        throw new PushError(
          `push to ${host} was rejected: the remote branch ${branch} has changes this project does not have (push to a new branch, or bring them into the project)`,
          detail
        )
      }
      throw new PushError(`push to ${host} failed: the remote could not be reached, or it is not a git repository that accepts this push`, detail)
    }
    return { branch, version, output }
  }

  /**
   * For a periodic job: removes scratch folders left by killed applies (old
   * enough that no other process can still be using them) and packs loose
   * objects when git thinks it is worth it.
   */
  async maintain(): Promise<void> {
    await this.ensureExists()
    await runExclusive(this.gitDir, async () => {
      for (const name of await readdir(this.gitDir)) {
        if (!name.startsWith(`${SCRATCH_PREFIX}-`)) continue
        const path = join(this.gitDir, name)
        if (Date.now() - (await stat(path)).mtimeMs > SCRATCH_MAX_AGE_MS) await rm(path, { recursive: true, force: true })
      }
      await this.git(['gc', '--auto', '--quiet'], { timeoutMs: 10 * 60_000 })
    })
  }
}
