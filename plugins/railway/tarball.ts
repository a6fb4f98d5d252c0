import { lstat, readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * The source upload of `railway up`, without the CLI: a gzipped tar of the
 * app's folder whose entries are named `./<path>`, leaving out every
 * `node_modules` and `.git` folder (Railway installs the dependencies
 * itself). Regular files and folders only: symlinks, sockets and devices
 * are skipped. Names longer than ustar's 100 (+155 prefix) bytes get a PAX
 * `path` record, as GNU tar and the CLI's tar crate write them.
 *
 * Unlike the CLI, `.gitignore`/`.railwayignore` are not read: the folder is a
 * version exported from the project's repository, which holds no ignored
 * file to begin with.
 */

export const SKIPPED_DIRS = new Set(['node_modules', '.git'])

export type TarEntry = { path: string; content: Buffer; mode: number } | { path: string; directory: true; mode: number }

/** Every folder and regular file under `dir` (sorted, `/`-separated, relative), skipping node_modules and .git. */
export async function listAppFiles(dir: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = []
  const walk = async (current: string, prefix: string) => {
    const children = await readdir(current, { withFileTypes: true })
    for (const child of children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(current, child.name)
      const relative = prefix ? `${prefix}/${child.name}` : child.name
      if (child.isDirectory()) {
        if (SKIPPED_DIRS.has(child.name)) continue
        entries.push({ path: relative, directory: true, mode: 0o755 })
        await walk(path, relative)
      } else if (child.isFile()) {
        const stat = await lstat(path)
        entries.push({ path: relative, content: await readFile(path), mode: stat.mode & 0o111 ? 0o755 : 0o644 })
      }
    }
  }
  await walk(dir, '')
  return entries
}

const BLOCK = 512

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header(name: string, options: { size: number; mode: number; type: '0' | '5' | 'x'; prefix?: string }): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(name, 0, 100, 'utf8')
  block.write(octal(options.mode, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(options.size, 12), 124, 'ascii')
  block.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii')
  block.write('        ', 148, 'ascii') // checksum placeholder: eight spaces
  block.write(options.type, 156, 'ascii')
  block.write('ustar\0', 257, 'ascii')
  block.write('00', 263, 'ascii')
  if (options.prefix) block.write(options.prefix, 345, 155, 'utf8')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 'ascii')
  return block
}

function padded(content: Buffer): Buffer[] {
  const rest = content.length % BLOCK
  return rest === 0 ? [content] : [content, Buffer.alloc(BLOCK - rest)]
}

/** ustar name/prefix split, or undefined when the path needs a PAX record. */
function splitName(path: string): { name: string; prefix?: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { name: path }
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i)
    const name = path.slice(i + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { name, prefix }
  }
  return undefined
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body)
  return `${length}${body}`
}

/** A tar archive (ustar, PAX for long names) of the entries, each named `./<path>`. */
export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const path = `./${entry.path}${'directory' in entry ? '/' : ''}`
    const content = 'directory' in entry ? Buffer.alloc(0) : entry.content
    const type = 'directory' in entry ? '5' : '0'
    let split = splitName(path)
    if (!split) {
      const pax = Buffer.from(paxRecord('path', path), 'utf8')
      parts.push(header(`./PaxHeaders/${entry.path.slice(-60).replace(/^\/+/, '')}`.slice(0, 99), { size: pax.length, mode: 0o644, type: 'x' }))
      parts.push(...padded(pax))
      split = { name: path.slice(-100).replace(/^[^/]*\//, '') }
    }
    parts.push(header(split.name, { size: content.length, mode: entry.mode, type, prefix: split.prefix }))
    if (content.length > 0) parts.push(...padded(content))
  }
  parts.push(Buffer.alloc(BLOCK * 2))
  return Buffer.concat(parts)
}

/** The gzipped tarball `railway up` sends for `dir`, and how many files it holds. */
export async function createDeployTarball(dir: string): Promise<{ body: Buffer; files: number }> {
  const entries = await listAppFiles(dir)
  return { body: gzipSync(tar(entries)), files: entries.filter((e) => !('directory' in e)).length }
}
