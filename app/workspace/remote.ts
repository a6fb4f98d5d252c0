import { InvalidRemoteError } from './errors.js'

/**
 * Remote URLs and credentials for `git push`.
 *
 * The token travels only in the environment of the git process, as an
 * `http.extraHeader` config entry (GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n):
 * argv is visible to every user of the machine through `ps`, the environment
 * only to the same user. Anything git prints is scrubbed of the token and of
 * the encodings it could appear in before it reaches a caller.
 */

export interface RemoteUrlOptions {
  /** Allow plain http to any host (the token then travels in clear). */
  allowPlainHttp?: boolean
  /**
   * The operator allowed some networks (push_network.ts): plain http may go
   * to them, which is decided once the host is resolved.
   */
  someNetworksAllowed?: boolean
}

export const PLAIN_HTTP_REFUSED = 'plain http:// would send the token unencrypted; use https://'

/**
 * Checks a remote URL and returns it normalized. The messages never repeat
 * the URL: a refused one may well contain a credential.
 */
export function checkRemoteUrl(raw: unknown, options: RemoteUrlOptions = {}): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidRemoteError('the remote URL is missing')
  if (raw.length > 2048) throw new InvalidRemoteError('the remote URL is too long')
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) {
    throw new InvalidRemoteError('the remote URL contains spaces or control characters')
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InvalidRemoteError('the remote URL is not a valid URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidRemoteError('only https:// remote URLs are supported')
  }
  if (url.username || url.password) {
    throw new InvalidRemoteError('the remote URL must not contain credentials; pass the token separately')
  }
  if (url.protocol === 'http:' && !options.allowPlainHttp && !options.someNetworksAllowed) {
    throw new InvalidRemoteError(PLAIN_HTTP_REFUSED)
  }
  if (url.hash) throw new InvalidRemoteError('the remote URL must not have a #fragment')
  return url.href
}

export function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token === '') throw new InvalidRemoteError('the access token is missing')
  if (token.length > 4096) throw new InvalidRemoteError('the access token is too long')
  // A line break would let the token inject HTTP headers.
  if (/[\u0000-\u001f\u007f]/.test(token)) throw new InvalidRemoteError('the access token contains control characters')
  return token
}

/** A branch name git accepts for refs/heads/<branch>, kept to a conservative alphabet. */
export function checkBranch(branch: unknown): string {
  const valid =
    typeof branch === 'string' &&
    /^[A-Za-z0-9._/-]{1,100}$/.test(branch) &&
    !branch.startsWith('-') &&
    !branch.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock')) &&
    !branch.includes('..') &&
    !branch.endsWith('.')
  if (!valid) throw new InvalidRemoteError('the branch name is not valid')
  return branch
}

export interface PushCredentials {
  /** Config entries for the git process's environment. */
  config: Array<[string, string]>
  /** Every form the token could be printed in, for scrubbing. */
  secrets: string[]
}

/** HTTP Basic credentials (username, token) as an extra header; GitHub, GitLab and Gitea accept this form. */
export function pushCredentials(token: string, username: string): PushCredentials {
  const basic = Buffer.from(`${username}:${token}`, 'utf8').toString('base64')
  return {
    config: [['http.extraHeader', `Authorization: Basic ${basic}`]],
    secrets: [
      token,
      basic,
      Buffer.from(token, 'utf8').toString('base64'),
      encodeURIComponent(token),
    ].sort((a, b) => b.length - a.length),
  }
}
