import { parentsOf, pathProblem, type RepositoryLimits } from './paths.js'

/**
 * Turns a list of operations into the final file list of the next version,
 * entirely in memory: nothing is written to the repository here, so a refused
 * turn costs nothing and leaves nothing behind.
 *
 * Operations run in order against the evolving state (a `write` then an
 * `edit` of the same file works); a refused operation is skipped and the
 * following ones see the state without it.
 */

export type ChangeOp =
  | { op: 'write'; path: string; content: string | Buffer }
  | { op: 'edit'; path: string; search: string; replace: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; from: string; to: string }

export interface Refusal {
  /** Position of the operation in the list given to applyChanges. */
  index: number
  op: string
  /** The path of the operation (`from` for a rename). */
  path: string
  /** The destination of a rename. */
  to?: string
  reason: string
}

/** A file of the state: `sha` for content already in the repository, `content` for new content. */
export interface PlannedFile {
  mode: string
  sha: string | null
  content: Buffer | null
}

/** An entry of the parent version, as listed by `git ls-tree -r -l`. */
export interface TreeFile {
  mode: string
  sha: string
  size: number | null
}

export interface PlanContext {
  limits: RepositoryLimits
  locked: ReadonlySet<string>
  /** Loads the content of a blob already in the repository (for edits). */
  readBlob: (sha: string) => Promise<Buffer>
}

export interface Plan {
  files: Map<string, PlannedFile>
  applied: string[]
  refused: Refusal[]
}

const REGULAR = new Set(['100644', '100755'])
const SYMLINK = '120000'
const MIB = 1024 * 1024

function describeSize(bytes: number): string {
  return bytes >= MIB ? `${+(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`
}

/** The files of a version plus a count of files under each folder, to answer "is this a folder" at once. */
class TreeState {
  readonly files: Map<string, PlannedFile>
  private readonly folders = new Map<string, number>()

  constructor(entries: Map<string, TreeFile>) {
    this.files = new Map()
    for (const [path, entry] of entries) this.add(path, { mode: entry.mode, sha: entry.sha, content: null })
  }

  add(path: string, file: PlannedFile) {
    if (!this.files.has(path)) {
      for (const folder of parentsOf(path)) this.folders.set(folder, (this.folders.get(folder) ?? 0) + 1)
    }
    this.files.set(path, file)
  }

  remove(path: string) {
    if (!this.files.delete(path)) return
    for (const folder of parentsOf(path)) {
      const count = (this.folders.get(folder) ?? 1) - 1
      if (count === 0) this.folders.delete(folder)
      else this.folders.set(folder, count)
    }
  }

  isFolder(path: string): boolean {
    return this.folders.has(path)
  }

  /** Why a new file could not be created at `path` (a folder there, or a file as one of its folders). */
  placementProblem(path: string): string | null {
    if (this.isFolder(path)) return `${path} is a folder`
    const blocking = parentsOf(path).find((folder) => this.files.has(folder))
    return blocking ? `${blocking} is a file, so it cannot hold ${path}` : null
  }
}

export function isLocked(path: string, locked: ReadonlySet<string>): boolean {
  return locked.has(path) || parentsOf(path).some((folder) => locked.has(folder))
}

/** Why an existing entry may not be read or replaced as a regular file. */
function entryProblem(path: string, file: PlannedFile | undefined, state: TreeState): string | null {
  if (!file) return state.isFolder(path) ? `${path} is a folder` : `${path} does not exist`
  if (file.mode === SYMLINK) return `${path} is a symbolic link, which the editor does not follow or replace`
  if (!REGULAR.has(file.mode)) return `${path} is not a regular file`
  return null
}

/** Counts occurrences of `search` (overlapping ones too: an ambiguous edit is ambiguous). */
function occurrences(text: string, search: string): number[] {
  const found: number[] = []
  for (let at = text.indexOf(search); at !== -1 && found.length < 2; at = text.indexOf(search, at + 1)) {
    found.push(at)
  }
  return found
}

function asText(buffer: Buffer): string | null {
  if (buffer.includes(0)) return null
  const text = buffer.toString('utf8')
  // Invalid UTF-8 would not survive the round trip: editing it would corrupt the file.
  return Buffer.from(text, 'utf8').equals(buffer) ? text : null
}

/** A path as reported back: refused paths can be anything, even megabytes long. */
function shorten(value: unknown): string {
  const text = typeof value === 'string' ? value : ''
  return text.length > 300 ? text.slice(0, 300) + '…' : text
}

export async function planChanges(ops: readonly unknown[], parent: Map<string, TreeFile>, ctx: PlanContext): Promise<Plan> {
  const state = new TreeState(parent)
  const applied: string[] = []
  const refused: Refusal[] = []
  let turnBytes = 0

  /** The size checks shared by write and edit; counts the bytes when they pass. */
  const sizeProblem = (path: string, bytes: number): string | null => {
    if (bytes > ctx.limits.maxFileBytes) {
      return `${path} would be ${describeSize(bytes)}, over the limit of ${describeSize(ctx.limits.maxFileBytes)} per file`
    }
    if (turnBytes + bytes > ctx.limits.maxTurnBytes) {
      return `${path}: this change would write more than ${describeSize(ctx.limits.maxTurnBytes)} in one turn`
    }
    turnBytes += bytes
    return null
  }

  const apply = async (raw: unknown): Promise<string | null> => {
    if (typeof raw !== 'object' || raw === null) return 'not an operation'
    const op = raw as Record<string, unknown>

    if (op.op === 'rename') {
      const problem = pathProblem(op.from, ctx.limits) ?? pathProblem(op.to, ctx.limits)
      if (problem) return problem
      const from = op.from as string
      const to = op.to as string
      if (from === to) return `${from}: renaming a file to itself`
      if (isLocked(from, ctx.locked)) return `${from} is locked`
      if (isLocked(to, ctx.locked)) return `${to} is locked`
      const file = state.files.get(from)
      const fromProblem = entryProblem(from, file, state)
      if (fromProblem) return fromProblem
      if (state.files.has(to)) return `${to} already exists (delete it first to replace it)`
      // Checked without the source, so that `a` → `a/b` and `a/b` → `a` work.
      state.remove(from)
      const placement = state.placementProblem(to)
      if (placement) {
        state.add(from, file!)
        return placement
      }
      state.add(to, file!)
      return null
    }

    const problem = pathProblem(op.path, ctx.limits)
    if (problem) return problem
    const path = op.path as string
    if (isLocked(path, ctx.locked)) return `${path} is locked`
    const existing = state.files.get(path)

    switch (op.op) {
      case 'write': {
        const content =
          typeof op.content === 'string'
            ? Buffer.from(op.content, 'utf8')
            : op.content instanceof Uint8Array
              ? Buffer.from(op.content.buffer, op.content.byteOffset, op.content.byteLength)
              : null
        if (!content) return `${path}: the content must be text or bytes`
        if (existing) {
          const replaceProblem = entryProblem(path, existing, state)
          if (replaceProblem) return replaceProblem
        } else {
          const placement = state.placementProblem(path)
          if (placement) return placement
        }
        const tooBig = sizeProblem(path, content.length)
        if (tooBig) return tooBig
        // A file that was executable stays so; new files are always plain 100644.
        state.add(path, { mode: existing?.mode ?? '100644', sha: null, content })
        return null
      }
      case 'edit': {
        if (typeof op.search !== 'string' || op.search === '') return `${path}: the text to search for is empty`
        if (typeof op.replace !== 'string') return `${path}: the replacement text is missing`
        const fileProblem = entryProblem(path, existing, state)
        if (fileProblem) return fileProblem
        const text = asText(existing!.content ?? (await ctx.readBlob(existing!.sha!)))
        if (text === null) return `${path} is not a text file; write it whole instead`
        const found = occurrences(text, op.search)
        if (found.length === 0) return `${path}: the text to replace was not found`
        if (found.length > 1) {
          return `${path}: the text to replace appears more than once; include more of the surrounding lines`
        }
        // Sliced, not String.replace: a `$&` in the replacement must stay literal.
        const result = text.slice(0, found[0]) + op.replace + text.slice(found[0] + op.search.length)
        const content = Buffer.from(result, 'utf8')
        const tooBig = sizeProblem(path, content.length)
        if (tooBig) return tooBig
        state.add(path, { mode: existing!.mode, sha: null, content })
        return null
      }
      case 'delete': {
        // A symbolic link may be deleted: that never follows it.
        if (!existing) return state.isFolder(path) ? `${path} is a folder; delete its files` : `${path} does not exist`
        if (!REGULAR.has(existing.mode) && existing.mode !== SYMLINK) return `${path} is not a regular file`
        state.remove(path)
        return null
      }
      default:
        return `unknown operation ${JSON.stringify(String(op.op)).slice(0, 40)}`
    }
  }

  for (const [index, raw] of ops.entries()) {
    const op = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
    const reason = await apply(raw)
    const name = typeof op.op === 'string' ? op.op.slice(0, 20) : 'unknown'
    const path = shorten(op.op === 'rename' ? op.from : op.path)
    if (reason === null) {
      applied.push(op.op === 'rename' ? `rename ${path} -> ${shorten(op.to)}` : `${name} ${path}`)
    } else {
      refused.push({ index, op: name, path, ...(op.op === 'rename' ? { to: shorten(op.to) } : {}), reason })
    }
  }
  return { files: state.files, applied, refused }
}
