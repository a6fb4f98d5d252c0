// Files of public/ served as they are. Paths are resolved inside public/ only.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, sep } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/** Serves the file for these (decoded) path segments; false when there is none. */
export async function serveStatic(publicDir, segments, req, res) {
  if (segments.some((s) => s === '..' || s === '.' || s.includes('/') || s.includes('\\') || s.includes('\0'))) return false
  const file = join(publicDir, ...segments)
  if (!file.startsWith(publicDir + sep)) return false
  let info
  try {
    info = await stat(file)
  } catch {
    return false
  }
  if (!info.isFile()) return false
  res.writeHead(200, {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'public, max-age=300',
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  await new Promise((resolve) => {
    createReadStream(file).on('error', () => res.destroy()).on('close', resolve).pipe(res)
  })
  return true
}
