import { defineConfig } from 'vite'
import adonisjs from '@adonisjs/vite/client'

export default defineConfig({
  plugins: [
    adonisjs({
      entrypoints: ['resources/css/app.css', 'resources/js/app.js'],
      reload: ['resources/views/**/*.edge'],
    }),
  ],
  server: {
    hmr: {
      // VITE_HMR_PORT lets two checkouts on one machine run their browser tests
      // at the same time (Vite's HMR websocket otherwise always takes 24678).
      ...(process.env.VITE_HMR_PORT ? { port: Number(process.env.VITE_HMR_PORT) } : {}),
      // No error overlay under the test runner: the suite sends malformed URLs on
      // purpose (%zz, a broken UTF-8 escape); Vite's dev middleware, which sees
      // every request first, reports each as a server error and keeps the last
      // one for the next page that connects, whose overlay then covers it.
      overlay: process.env.NODE_ENV !== 'test',
    },
  },
  // Pre-bundled when the dev server starts, so the dev server never
  // discovers them on a first page view and reloads the page under the
  // user (or a browser test).
  optimizeDeps: {
    noDiscovery: true,
    include: ['@alpinejs/csp', 'highlight.js/lib/common'],
  },
})
