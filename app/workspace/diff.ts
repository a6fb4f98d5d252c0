/**
 * Parses what `git diff-tree` prints for one commit into one record per file.
 * Paths come from the NUL-separated (`-z`) outputs, which are exact whatever
 * the file names; the patch text is split by its `diff --git` headers, which
 * come in the same order.
 */

export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'type-changed'

export interface FileDiff {
  path: string
  /** The previous path of a renamed file. */
  oldPath?: string
  status: FileChangeStatus
  added: number
  removed: number
  /** Binary files have no line counts and no patch lines ("Binary files … differ"). */
  binary: boolean
  /** The unified diff of this file (its `diff --git` header included). */
  patch: string
  /** The patch was cut at `maxPatchBytes`. */
  truncated: boolean
}

const STATUS: Record<string, FileChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  T: 'type-changed',
}

interface NameStatus {
  status: FileChangeStatus
  path: string
  oldPath?: string
}

/** `--name-status -z`: `M\0path\0` or `R096\0old\0new\0`. */
export function parseNameStatus(output: string): NameStatus[] {
  const tokens = output.split('\0')
  const result: NameStatus[] = []
  for (let i = 0; i < tokens.length - 1; ) {
    const letter = tokens[i].charAt(0)
    if (letter === 'R' || letter === 'C') {
      result.push({ status: 'renamed', oldPath: tokens[i + 1], path: tokens[i + 2] })
      i += 3
    } else {
      result.push({ status: STATUS[letter] ?? 'modified', path: tokens[i + 1] })
      i += 2
    }
  }
  return result
}

interface NumStat {
  added: number
  removed: number
  binary: boolean
}

/** `--numstat -z`: `3\t1\tpath\0`, or `3\t1\t\0old\0new\0` for a rename; `-\t-` for binary files. */
export function parseNumstat(output: string): NumStat[] {
  const tokens = output.split('\0')
  const result: NumStat[] = []
  for (let i = 0; i < tokens.length - 1; ) {
    const [added, removed, path] = tokens[i].split('\t')
    const binary = added === '-'
    result.push({ added: binary ? 0 : Number(added), removed: binary ? 0 : Number(removed), binary })
    i += path === '' ? 3 : 1
  }
  return result
}

/** Splits a multi-file patch at each `diff --git` header. */
export function splitPatch(patch: string): string[] {
  if (patch === '') return []
  return patch.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '))
}

export function combineDiff(
  names: NameStatus[],
  counts: NumStat[],
  patches: string[],
  maxPatchBytes: number
): FileDiff[] {
  return names.map((name, index) => {
    const count = counts[index] ?? { added: 0, removed: 0, binary: false }
    const patch = patches[index] ?? ''
    const truncated = Buffer.byteLength(patch) > maxPatchBytes
    return {
      ...name,
      ...count,
      patch: truncated ? Buffer.from(patch).subarray(0, maxPatchBytes).toString('utf8') : patch,
      truncated,
    }
  })
}
