import { defineConfig } from 'vite'
import adonisjs from '@adonisjs/vite/client'

export default defineConfig({
  plugins: [
    adonisjs({
      entrypoints: ['resources/css/app.css', 'resources/js/app.js'],
      reload: ['resources/views/**/*.edge'],
    }),
  ],
  // Pre-bundled when the dev server starts, so the dev server never
  // discovers them on a first page view and reloads the page under the
  // user (or a browser test).
  // VITE_HMR_PORT lets two checkouts on one machine run their browser tests
  // at the same time (Vite's HMR websocket otherwise always takes 24678).
  server: process.env.VITE_HMR_PORT ? { hmr: { port: Number(process.env.VITE_HMR_PORT) } } : {},
  optimizeDeps: {
    noDiscovery: true,
    include: ['@alpinejs/csp', 'highlight.js/lib/common'],
  },
})
