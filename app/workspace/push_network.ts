import { lookup as dnsLookup } from 'node:dns/promises'
import ipaddr from 'ipaddr.js'
import { InvalidRemoteError, PushError } from './errors.js'

/**
 * Where a push may connect. A push is a request the platform makes on a
 * user's behalf to a URL the user chose, so without a rule it reaches what
 * the user cannot: the platform's own loopback services, the private
 * network around it, the cloud metadata address. The rule:
 *
 * - The host is resolved once, here; every address it resolves to must be a
 *   public unicast address (ipaddr.js's `unicast` range, and for IPv6 inside
 *   2000::/3) or inside a network the operator allowed
 *   (XBASIS_PUSH_ALLOWED_NETWORKS). One address outside both refuses the push.
 * - git is then told to use exactly those addresses (`http.curloptResolve`),
 *   so it never resolves the name again: a DNS answer that changes between
 *   the check and the connection (rebinding) is never seen. Redirects are off
 *   (see git.ts), so the connection cannot be sent elsewhere either.
 * - Every spelling of an address is the same address: the URL parser
 *   normalizes `0x7f000001`, `2130706433` and `127.1` to 127.0.0.1, and an
 *   IPv4-mapped IPv6 address (`[::ffff:127.0.0.1]`) is checked as the IPv4
 *   address it is.
 */

type Address = ipaddr.IPv4 | ipaddr.IPv6
type Cidr = [Address, number]

/** Networks an operator may allow by name. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
  uniquelocal: ['fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  cgnat: ['100.64.0.0/10'],
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

export interface PushNetworkPolicy {
  /** Networks outside the public internet that pushes may reach anyway (the operator's own). */
  allowed: Cidr[]
}

export const PUBLIC_ONLY: PushNetworkPolicy = { allowed: [] }

/**
 * XBASIS_PUSH_ALLOWED_NETWORKS: comma-separated CIDR ranges, addresses and
 * the names loopback, private, uniquelocal, linklocal, cgnat; empty or
 * `none`: public addresses only. Throws a message naming the bad entry.
 */
export function parseAllowedNetworks(value: string | undefined): PushNetworkPolicy {
  const text = (value ?? '').trim()
  if (text === '' || text.toLowerCase() === 'none') return { allowed: [] }
  const allowed: Cidr[] = []
  for (const entry of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const named = NAMED[entry.toLowerCase()]
    for (const cidr of named ?? [entry]) {
      try {
        if (cidr.includes('/')) {
          const [address, bits] = ipaddr.parseCIDR(cidr)
          allowed.push([normalize(address), address.kind() === 'ipv6' && normalize(address).kind() === 'ipv4' ? bits - 96 : bits])
        } else {
          const address = normalize(ipaddr.parse(cidr))
          allowed.push([address, address.kind() === 'ipv4' ? 32 : 128])
        }
      } catch {
        throw new Error(
          `XBASIS_PUSH_ALLOWED_NETWORKS: "${entry}" is not an address, a CIDR range or one of ${Object.keys(NAMED).join(', ')} (or none)`
        )
      }
    }
  }
  return { allowed }
}

/** An IPv4-mapped IPv6 address is the IPv4 address it carries. */
function normalize(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address
}

function inAllowed(address: Address, policy: PushNetworkPolicy): boolean {
  return policy.allowed.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits))
}

function isPublic(address: Address): boolean {
  if (address.range() !== 'unicast') return false
  return address.kind() === 'ipv4' || address.match(GLOBAL_UNICAST_V6)
}

export type Lookup = (hostname: string) => Promise<string[]>

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address of the name. */
export const systemLookup: Lookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address)

const LOOKUP_TIMEOUT_MS = 10_000

export interface PushTarget {
  /** The addresses git will connect to (each checked). */
  addresses: string[]
  /** Every address is inside the operator's allowed networks (plain http may go there). */
  withinAllowedNetworks: boolean
  /** Config entries that make git use exactly these addresses; none for an IP literal. */
  config: Array<[string, string]>
}

/**
 * Resolves and checks the host of a (syntactically checked) remote URL.
 * Refusals are InvalidRemoteError with one message for every non-public
 * range, so that the answer says nothing about what is behind the address.
 */
export async function resolvePushTarget(href: string, policy: PushNetworkPolicy, lookup: Lookup = systemLookup): Promise<PushTarget> {
  const url = new URL(href)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  let raw: string[]
  const literal = ipaddr.isValid(host)
  if (literal) {
    raw = [host]
  } else {
    let timer: NodeJS.Timeout | undefined
    try {
      raw = await Promise.race([
        lookup(host),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), LOOKUP_TIMEOUT_MS)
        }),
      ])
    } catch {
      throw new PushError(`push to ${url.host} failed: its host name could not be resolved`)
    } finally {
      clearTimeout(timer)
    }
    if (raw.length === 0) throw new PushError(`push to ${url.host} failed: its host name could not be resolved`)
  }
  const addresses: Address[] = []
  for (const text of raw) {
    let address: Address
    try {
      address = normalize(ipaddr.parse(text))
    } catch {
      throw new PushError(`push to ${url.host} failed: its host name could not be resolved`)
    }
    if (!isPublic(address) && !inAllowed(address, policy)) {
      throw new InvalidRemoteError(
        'the remote is not on the public internet (loopback, private, link-local and other reserved addresses are refused unless the operator allows them)'
      )
    }
    addresses.push(address)
  }
  const shown = addresses.map((address) => address.toString())
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const pinned = shown.map((address) => (address.includes(':') ? `[${address}]` : address)).join(',')
  return {
    addresses: shown,
    withinAllowedNetworks: addresses.every((address) => inAllowed(address, policy)),
    config: literal ? [] : [['http.curloptResolve', `${url.hostname}:${port}:${pinned}`]],
  }
}
