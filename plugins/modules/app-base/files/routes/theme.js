// GET /theme.css: the theme parameters of app-base as CSS custom properties (see lib/theme.js).
import { send } from '../lib/http.js'
import { themeCss } from '../lib/theme.js'

export function register(router) {
  const css = themeCss()
  router.get('/theme.css', (req, res) => send(res, 200, css, 'text/css; charset=utf-8', { 'cache-control': 'no-cache' }))
}
