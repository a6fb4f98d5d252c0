// A tiny router: `/posts/:slug` style patterns. When several patterns match, the most specific one
// wins (a fixed segment beats a parameter), so registration order does not matter.
export class Router {
  #routes = []

  add(method, pattern, handler) {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`)
    const segments = pattern.split('/').filter(Boolean)
    const key = `${method} /${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`
    if (this.#routes.some((route) => route.key === key)) throw new Error(`route registered twice: ${method} ${pattern}`)
    this.#routes.push({ method, pattern, segments, handler, key })
    return this
  }

  get(pattern, handler) {
    return this.add('GET', pattern, handler)
  }
  post(pattern, handler) {
    return this.add('POST', pattern, handler)
  }
  put(pattern, handler) {
    return this.add('PUT', pattern, handler)
  }
  patch(pattern, handler) {
    return this.add('PATCH', pattern, handler)
  }
  delete(pattern, handler) {
    return this.add('DELETE', pattern, handler)
  }

  has(method, pattern) {
    return this.#routes.some((route) => route.method === method && route.pattern === pattern)
  }

  /**
   * The handler for a request path (already split into decoded segments), or the methods the path
   * allows when only the method is wrong (for a 405), or null.
   */
  match(method, segments) {
    const lookup = method === 'HEAD' ? 'GET' : method
    const found = []
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments)
      if (params) found.push({ route, params })
    }
    if (found.length === 0) return null
    found.sort((a, b) => specificity(b.route) - specificity(a.route))
    const hit = found.find(({ route }) => route.method === lookup)
    if (hit) return { handler: hit.route.handler, params: hit.params }
    return { allowed: [...new Set(found.map(({ route }) => route.method))] }
  }
}

function matchSegments(pattern, segments) {
  if (pattern.length !== segments.length) return null
  const params = {}
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) params[pattern[i].slice(1)] = segments[i]
    else if (pattern[i] !== segments[i]) return null
  }
  return params
}

// Earlier fixed segments weigh more: /blog/new beats /blog/:slug.
function specificity(route) {
  return route.segments.reduce((score, s, i) => score + (s.startsWith(':') ? 0 : 2 ** (20 - i)), 0)
}
