import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, type Readable } from 'node:stream'
import { GitCommandError } from './errors.js'

/**
 * Runs the `git` CLI for the project repositories: always an argument array
 * (never a shell), a clean environment and a time limit.
 *
 * The environment is rebuilt from scratch so that nothing of the platform's
 * own environment or of the machine's git setup leaks in: no system or global
 * config, no credential helpers, no ~/.netrc (HOME is a private empty dir),
 * no proxies, no terminal prompts, no hooks, and only http(s) transports.
 */

export interface GitRunOptions {
  /** The bare repository (`--git-dir`); the command also runs in it. */
  gitDir?: string
  /** Written to the command's stdin (which is closed afterwards). */
  input?: Buffer | string
  /** Extra environment (GIT_INDEX_FILE, author…). */
  env?: Record<string, string>
  /** Extra config entries, passed through GIT_CONFIG_COUNT (never argv). */
  config?: Array<[string, string]>
  timeoutMs?: number
  /** Kill the command when its stdout grows beyond this (default 256 MiB). */
  maxOutputBytes?: number
  /** Exit codes that are not failures (default [0]). */
  okExitCodes?: number[]
  /** Strings removed from any output or error surfaced to callers. */
  secrets?: string[]
  /** Observer of every spawned command (tests check argv for secrets). */
  onSpawn?: (args: readonly string[]) => void
}

export interface GitResult {
  stdout: Buffer
  stderr: string
  exitCode: number
}

export const DEFAULT_TIMEOUT_MS = 60_000
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024

/** Fixed identity used as committer (the author is always given explicitly). */
export const COMMITTER = { name: 'xBasis', email: 'xbasis@localhost' }

/** Config every command gets: hooks off (a pushed repo could not add any, but be sure). */
const BASE_CONFIG: Array<[string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.quotePath', 'false'],
  ['http.followRedirects', 'false'],
]

let privateHome: string | undefined

/**
 * An empty directory owned by this process (mkdtemp makes it 0700): git and
 * curl look there for ~/.gitconfig and ~/.netrc, and find nothing.
 */
function home(): string {
  if (!privateHome) {
    const dir = mkdtempSync(join(tmpdir(), 'xbasis-git-home-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    privateHome = dir
  }
  return privateHome
}

function environment(options: GitRunOptions): NodeJS.ProcessEnv {
  const config = [...BASE_CONFIG, ...(options.config ?? [])]
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home(),
    TZ: 'UTC',
    LC_ALL: 'C',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'http:https',
    // Paths given to ls-tree & co. are file names, never glob patterns.
    GIT_LITERAL_PATHSPECS: '1',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_AUTHOR_NAME: COMMITTER.name,
    GIT_AUTHOR_EMAIL: COMMITTER.email,
    GIT_COMMITTER_NAME: COMMITTER.name,
    GIT_COMMITTER_EMAIL: COMMITTER.email,
    GIT_CONFIG_COUNT: String(config.length),
    ...options.env,
  }
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key
    env[`GIT_CONFIG_VALUE_${index}`] = value
  })
  return env
}

/**
 * Secrets at least this long are removed wherever they appear: such a string
 * does not occur in ordinary text by chance. Shorter ones are removed only
 * where they stand as a token of their own (not inside a longer word), so
 * that a 3-letter token does not turn "failed" into "f[redacted]ed".
 */
export const SCRUB_ANYWHERE_LENGTH = 12

const WORD_CHAR = /[\p{L}\p{N}]/u

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** Removes every secret from a text that is about to be shown, thrown or logged. */
export function scrub(text: string, secrets: string[] = []): string {
  let result = text
  // Longest first: a secret that contains a shorter one is removed whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (!secret) continue
    if (secret.length >= SCRUB_ANYWHERE_LENGTH) {
      result = result.split(secret).join('[redacted]')
      continue
    }
    // A boundary is needed only on a side where the secret itself starts or
    // ends with a letter or digit: "-ab" glued to "x" is still the token.
    const before = WORD_CHAR.test(secret[0]) ? '(?<![\\p{L}\\p{N}])' : ''
    const after = WORD_CHAR.test(secret[secret.length - 1]) ? '(?![\\p{L}\\p{N}])' : ''
    result = result.replace(new RegExp(`${before}${escapeRegExp(secret)}${after}`, 'gu'), '[redacted]')
  }
  return result
}

function fullArgs(args: string[], options: GitRunOptions): string[] {
  return options.gitDir ? [`--git-dir=${options.gitDir}`, ...args] : args
}

/** Runs one git command to completion; rejects with GitCommandError on failure. */
export function runGit(args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  const argv = fullArgs(args, options)
  options.onSpawn?.(argv)
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
  const okCodes = options.okExitCodes ?? [0]

  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, {
      cwd: options.gitDir ?? home(),
      env: environment(options),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let outputBytes = 0
    let failure: string | undefined

    const timer = setTimeout(() => {
      failure = `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
      child.kill('SIGKILL')
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)

    child.stdout.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length
      if (outputBytes > maxOutput) {
        failure = `output larger than ${maxOutput} bytes`
        child.kill('SIGKILL')
        return
      }
      stdout.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    // The command may exit before reading all its input (EPIPE): its exit code tells.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')

    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new GitCommandError(args[0], null, scrub(error.message, options.secrets)))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const errText = scrub(Buffer.concat(stderr).toString('utf8'), options.secrets)
      if (failure || code === null || !okCodes.includes(code)) {
        reject(new GitCommandError(args[0], code, failure ?? errText))
        return
      }
      resolve({ stdout: Buffer.concat(stdout), stderr: errText, exitCode: code })
    })
  })
}

/**
 * Runs a git command whose stdout is streamed to the caller (git archive).
 * A failure or time-out destroys the stream with a GitCommandError; destroying
 * the stream early kills the command.
 */
export function streamGit(args: string[], options: GitRunOptions = {}): Readable {
  const argv = fullArgs(args, options)
  options.onSpawn?.(argv)
  const child = spawn('git', argv, {
    cwd: options.gitDir ?? home(),
    env: environment(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output = new PassThrough()
  const stderr: Buffer[] = []
  let failure: string | undefined

  const timer = setTimeout(() => {
    failure = `timed out after ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
    child.kill('SIGKILL')
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)

  child.stdout.pipe(output, { end: false })
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  child.on('error', (error) => output.destroy(new GitCommandError(args[0], null, error.message)))
  child.on('close', (code) => {
    clearTimeout(timer)
    if (!failure && code === 0) {
      output.end()
    } else {
      const message = failure ?? scrub(Buffer.concat(stderr).toString('utf8'), options.secrets)
      output.destroy(new GitCommandError(args[0], code, message))
    }
  })
  output.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return output
}
