import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * A git smart-HTTP server for push tests: git's own CGI (`git http-backend`)
 * behind a node:http server on 127.0.0.1, serving bare repositories from a
 * temporary directory. Every request needs HTTP Basic auth whose password is
 * the configured token (any user name); anything else gets 401.
 *
 *   const server = new FakeGitHttpServer({ token: 'secret' })
 *   await server.start()
 *   const remote = await server.createRepository('site')  // { url, path }
 *   ... push to remote.url ...
 *   await server.refs('site')                              // { 'refs/heads/main': sha }
 *   await server.close()
 */

export interface RecordedGitRequest {
  method: string
  url: string
  authorized: boolean
  status: number
}

/** A clean environment for the git processes of the fake (no user or system config). */
function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  }
}

export class FakeGitHttpServer {
  readonly requests: RecordedGitRequest[] = []
  private server?: Server
  private root?: string
  private backend?: string

  /**
   * `token`: the password every request must carry. `delayMs`: wait before
   * answering each request, so that a test can watch the client's processes.
   */
  constructor(private readonly options: { token: string; delayMs?: number }) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null
    if (!address) throw new Error('the fake git server is not started')
    return `http://127.0.0.1:${address.port}`
  }

  async start(): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), 'xbasis-git-remote-'))
    const { stdout } = await run('git', ['--exec-path'], { env: gitEnv() })
    this.backend = join(stdout.trim(), 'git-http-backend')
    this.server = createServer((req, res) => this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
    this.server?.closeAllConnections()
    if (this.root) await rm(this.root, { recursive: true, force: true })
  }

  /** A new empty bare repository that accepts pushes; its URL is `<server>/<name>.git`. */
  async createRepository(name: string): Promise<{ url: string; path: string }> {
    const path = join(this.root!, `${name}.git`)
    await run('git', ['init', '--bare', '--quiet', '--initial-branch=main', path], { env: gitEnv() })
    await run('git', [`--git-dir=${path}`, 'config', 'http.receivepack', 'true'], { env: gitEnv() })
    return { url: `${this.url}/${name}.git`, path }
  }

  /** The refs of a served repository: { 'refs/heads/main': sha, … }. */
  async refs(name: string): Promise<Record<string, string>> {
    const gitDir = join(this.root!, `${name}.git`)
    const { stdout } = await run('git', [`--git-dir=${gitDir}`, 'for-each-ref', '--format=%(refname) %(objectname)'], {
      env: gitEnv(),
    })
    return Object.fromEntries(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ') as [string, string])
    )
  }

  private authorized(req: IncomingMessage): boolean {
    const match = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')
    if (!match) return false
    const decoded = Buffer.from(match[1], 'base64').toString('utf8')
    return decoded.slice(decoded.indexOf(':') + 1) === this.options.token
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url)
    const record: RecordedGitRequest = {
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      authorized: false,
      status: 0,
    }
    this.requests.push(record)
    if (!this.authorized(req)) {
      record.status = 401
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake git"', 'Content-Type': 'text/plain' })
      res.end('authentication required\n')
      return
    }
    record.authorized = true
    if (this.options.delayMs) {
      setTimeout(() => this.runBackend(req, res, url, record), this.options.delayMs)
    } else {
      this.runBackend(req, res, url, record)
    }
  }

  private runBackend(req: IncomingMessage, res: ServerResponse, url: URL, record: RecordedGitRequest) {

    // The CGI/1.1 variables http-backend reads, plus every request header as HTTP_*.
    const env: Record<string, string> = {
      GIT_PROJECT_ROOT: this.root!,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: record.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REMOTE_USER: 'tester',
      REMOTE_ADDR: '127.0.0.1',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      SERVER_PROTOCOL: 'HTTP/1.1',
      GATEWAY_INTERFACE: 'CGI/1.1',
    }
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length']
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value
    }

    const cgi = spawn(this.backend!, [], { env: gitEnv(env), stdio: ['pipe', 'pipe', 'pipe'] })
    req.pipe(cgi.stdin)
    cgi.stdin.on('error', () => {})
    cgi.stderr.resume()

    // The CGI answers with headers (Status: …) then a blank line, then the body.
    let head = Buffer.alloc(0)
    let headersDone = false
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk)
        return
      }
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n') !== -1 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n')
      if (end === -1) return
      const separator = head.indexOf('\r\n\r\n') !== -1 ? 4 : 2
      let status = 200
      const headers: Record<string, string> = {}
      for (const line of head.subarray(0, end).toString('utf8').split(/\r?\n/)) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).trim()
        const value = line.slice(colon + 1).trim()
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else headers[name] = value
      }
      record.status = status
      res.writeHead(status, headers)
      headersDone = true
      res.write(head.subarray(end + separator))
    })
    cgi.on('close', () => {
      if (!headersDone) {
        record.status = 502
        res.writeHead(502)
      }
      res.end()
    })
  }
}
