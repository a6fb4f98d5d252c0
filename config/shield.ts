import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/shield'
import { appsDomain, platformOrigins } from '#lib/app_urls'

const apps = appsDomain()

/**
 * Outside production the Vite dev server injects styles as <style> tags and
 * opens a websocket for hot reload; production serves only built files.
 */
const devServer = !app.inProduction

const shieldConfig = defineConfig({
  /**
   * Scripts and styles come only from our own origin (Vite-built bundles,
   * Alpine's CSP build); nothing inline, no eval.
   */
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`, ...(devServer ? [`'unsafe-inline'`] : [])],
      imgSrc: [`'self'`, 'data:'],
      fontSrc: [`'self'`, 'data:'],
      connectSrc: [`'self'`, ...(devServer ? ['ws:'] : [])],
      // Previews are framed from the apps' own hosts, or their path URL on any of the platform's addresses.
      frameSrc: [`'self'`, ...(apps ? [`http://*.${apps}`, `https://*.${apps}`] : []), ...platformOrigins()],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
      formAction: [`'self'`],
      frameAncestors: [`'none'`],
    },
    reportOnly: false,
  },

  csrf: {
    enabled: true,
    // The JSON API authenticates with bearer tokens, never cookies, so it is
    // not exposed to cross-site request forgery; webhooks are authenticated
    // by their sender's signature over the raw body.
    exceptRoutes: (ctx) => ctx.request.url().startsWith('/api/') || ctx.request.url().startsWith('/webhooks/'),
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },

  xFrame: {
    enabled: true,
    action: 'DENY',
  },

  hsts: {
    enabled: true,
    maxAge: '180 days',
  },

  contentTypeSniffing: {
    enabled: true,
  },
})

export default shieldConfig
