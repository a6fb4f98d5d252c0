// GET /health: what deploy targets and uptime checks poll.
import { sendJson } from '../lib/http.js'

export function register(router) {
  router.get('/health', (req, res) => sendJson(res, { status: 'ok' }))
}
