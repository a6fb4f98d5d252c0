import proxyaddr from 'proxy-addr'

export type TrustProxy = (address: string, distance: number) => boolean

/**
 * Which peers may tell the platform who the client is (X-Forwarded-For,
 * X-Forwarded-Proto, X-Forwarded-Host). Rule: only a proxy the operator
 * named is believed; anyone else's forwarded headers are ignored and the
 * socket address is the client's address. That address keys the login,
 * reset and sign-up limits, so trusting everyone would let a client pick a
 * fresh "address" for every guess.
 *
 * TRUSTED_PROXIES is a comma-separated list of addresses, CIDR ranges and
 * proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`), or `none`
 * (the platform faces the internet directly). Unset: `loopback`, the edge
 * proxy (Caddy, nginx) on the same machine.
 */
export function parseTrustedProxies(value: string | undefined): TrustProxy {
  const text = (value ?? '').trim()
  if (text.toLowerCase() === 'none') return () => false
  const entries = (text === '' ? 'loopback' : text)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  try {
    return proxyaddr.compile(entries)
  } catch (error) {
    throw new Error(`TRUSTED_PROXIES: ${(error as Error).message} (expected addresses, CIDR ranges, loopback, linklocal, uniquelocal or none)`)
  }
}
