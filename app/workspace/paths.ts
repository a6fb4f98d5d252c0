/**
 * What a file path inside a project may look like. Paths are always relative,
 * `/`-separated and canonical (no `.`, `..` or empty segments), so one file has
 * exactly one spelling: a check like "is this path locked" is a string compare.
 */

export interface RepositoryLimits {
  /** Largest file a write or edit may produce (default 1 MiB). */
  maxFileBytes: number
  /** Total bytes written or edited by one apply (default 20 MiB). */
  maxTurnBytes: number
  /** Longest path, in characters (default 255). */
  maxPathLength: number
  /** Most segments in a path (default 20). */
  maxDepth: number
}

export const DEFAULT_LIMITS: RepositoryLimits = {
  maxFileBytes: 1024 * 1024,
  maxTurnBytes: 20 * 1024 * 1024,
  maxPathLength: 255,
  maxDepth: 20,
}

// C0 controls, DEL and the C1 range: invisible in the editor, dangerous in terminals.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Whether a segment would be taken for `.git` by git itself or by a filesystem
 * it may be exported to: any case, trailing dots/spaces (Windows drops them)
 * and the 8.3 short name `git~1`.
 */
function isGitDirName(segment: string): boolean {
  const name = segment.toLowerCase().replace(/[. ]+$/, '')
  return name === '.git' || name === 'git~1'
}

/** Why `path` is not an acceptable project path, or null when it is. */
export function pathProblem(path: unknown, limits: RepositoryLimits = DEFAULT_LIMITS): string | null {
  if (typeof path !== 'string') return 'the path is missing'
  if (path === '') return 'the path is empty'
  const shown = JSON.stringify(path.length > 80 ? path.slice(0, 80) + '…' : path)
  if (CONTROL.test(path)) return `${shown}: the path contains a control character`
  if (path.length > limits.maxPathLength) {
    return `${shown}: the path is longer than ${limits.maxPathLength} characters`
  }
  if (path.includes('\\')) return `${shown}: the path contains a backslash (use / between folders)`
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    return `${shown}: the path must be relative to the project, not absolute`
  }
  const segments = path.split('/')
  if (segments.length > limits.maxDepth) {
    return `${shown}: the path is deeper than ${limits.maxDepth} folders`
  }
  for (const segment of segments) {
    if (segment === '') return `${shown}: the path has an empty folder name (// or a trailing /)`
    if (segment === '.' || segment === '..') return `${shown}: the path may not contain . or .. segments`
    if (isGitDirName(segment)) return `${shown}: .git is reserved for the version history`
  }
  return null
}

/** The folders containing a path, nearest last: `a/b/c` → `a`, `a/b`. */
export function parentsOf(path: string): string[] {
  const segments = path.split('/')
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'))
}
