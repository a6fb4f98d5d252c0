import { lstat, readdir, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'

/**
 * A build context for the Docker Engine API: a folder's files as a tar
 * stream (ustar, PAX headers for long names), plus generated files (the
 * Dockerfile). Files are read one at a time; nothing is written to disk
 * and the folder is never modified.
 */
export type ExtraFile = { name: string; content: string | Buffer; mode?: number } | { name: string; directory: true; mode?: number }

const BLOCK = 512

function octal(value: number, length: number) {
  return value.toString(8).padStart(length - 1, '0') + '\0'
}

function header(fields: { name: string; mode: number; size: number; mtime: number; type: string; linkname?: string }) {
  const block = Buffer.alloc(BLOCK)
  block.write(fields.name, 0, 100, 'utf8')
  block.write(octal(fields.mode & 0o7777, 8), 100, 8, 'ascii')
  block.write(octal(0, 8), 108, 8, 'ascii') // uid: the Dockerfile sets the owner (COPY --chown)
  block.write(octal(0, 8), 116, 8, 'ascii')
  block.write(octal(fields.size, 12), 124, 12, 'ascii')
  block.write(octal(Math.floor(fields.mtime), 12), 136, 12, 'ascii')
  block.write('        ', 148, 8, 'ascii')
  block.write(fields.type, 156, 1, 'ascii')
  if (fields.linkname) block.write(fields.linkname, 157, 100, 'utf8')
  block.write('ustar\0', 257, 6, 'ascii')
  block.write('00', 263, 2, 'ascii')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 8, 'ascii')
  return block
}

/** PAX record `<len> key=value\n`, where len counts itself. */
function paxRecord(key: string, value: string) {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length++
  return `${length}${body}`
}

function padding(size: number) {
  const rest = size % BLOCK
  return rest ? Buffer.alloc(BLOCK - rest) : Buffer.alloc(0)
}

function* entry(name: string, type: string, mode: number, mtime: number, content: Buffer | null, linkname?: string) {
  const long = Buffer.byteLength(name) > 99 || (linkname !== undefined && Buffer.byteLength(linkname) > 99)
  if (long) {
    let records = paxRecord('path', name)
    if (linkname !== undefined) records += paxRecord('linkpath', linkname)
    const pax = Buffer.from(records)
    yield header({ name: 'PaxHeader', mode: 0o644, size: pax.length, mtime, type: 'x' })
    yield pax
    yield padding(pax.length)
  }
  const size = content?.length ?? 0
  yield header({ name: long ? name.slice(0, 99) : name, mode, size, mtime, type, linkname: long ? linkname?.slice(0, 99) : linkname })
  if (content && size) {
    yield content
    yield padding(size)
  }
}

/**
 * The tar stream of `dir` (minus the names in `skip`, at any depth) and
 * `extra` files at its root.
 */
export function tarContext(dir: string, extra: ExtraFile[] = [], skip = new Set(['node_modules', '.git'])): Readable {
  const now = Date.now() / 1000
  async function* walk(absolute: string, relative: string): AsyncGenerator<Buffer> {
    const names = (await readdir(absolute)).sort()
    for (const name of names) {
      if (skip.has(name)) continue
      const path = join(absolute, name)
      const inner = relative ? `${relative}/${name}` : name
      const stats = await lstat(path)
      if (stats.isDirectory()) {
        yield* entry(`${inner}/`, '5', stats.mode, stats.mtimeMs / 1000, null)
        yield* walk(path, inner)
      } else if (stats.isSymbolicLink()) {
        yield* entry(inner, '2', 0o777, stats.mtimeMs / 1000, null, await readlink(path))
      } else if (stats.isFile()) {
        yield* entry(inner, '0', stats.mode, stats.mtimeMs / 1000, await readFile(path))
      }
    }
  }
  async function* all() {
    yield* walk(dir, '')
    for (const file of extra) {
      if ('directory' in file) yield* entry(`${file.name.replace(/\/$/, '')}/`, '5', file.mode ?? 0o755, now, null)
      else yield* entry(file.name, '0', file.mode ?? 0o644, now, Buffer.from(file.content))
    }
    yield Buffer.alloc(BLOCK * 2)
  }
  return Readable.from(all(), { objectMode: false })
}
