/**
 * The platform's JSON API as the benchmarks call it: one client, and the
 * waits every deploy benchmark needs (a deployment live, a URL answering).
 */
import { setTimeout as sleep } from 'node:timers/promises'

export type Call = (path: string, init?: RequestInit) => Promise<any>

/** JSON in and out, with the token when given; a non-2xx answer throws with the method, path and body. */
export function client(base: string, token?: string): Call {
  return async (path, init = {}) => {
    const response = await fetch(base + path, {
      ...init,
      headers: { 'content-type': 'application/json', 'accept': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    })
    const body: any = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`)
    return body
  }
}

/** Polls until the deployment is live (throws when it failed); returns it. */
export async function untilLive(call: Call, id: number, timeoutMs = 180_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const { deployment } = await call(`/api/v1/deployments/${id}`)
    if (deployment.status === 'live') return deployment
    if (deployment.status === 'failed') throw new Error(`deployment ${id} failed: ${deployment.reason}`)
    await sleep(everyMs)
  }
  throw new Error(`deployment ${id} was not live within ${timeoutMs / 1000} s`)
}

/** Polls a URL until it answers 200. */
export async function until200(url: string, timeoutMs = 60_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {}
    await sleep(everyMs)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`)
}

/** A new account on the platform (a unique address from `label`); its token. */
export async function registerAccount(base: string, label: string, password = 'bench password', name = 'Bench'): Promise<string> {
  const body = await client(base)('/api/v1/auth/register', {
    method: 'POST',
    body: JSON.stringify({ name, email: `bench-${label}-${Date.now()}@example.com`, password }),
  })
  return body.token.value
}
