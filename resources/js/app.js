/*
| Alpine's CSP build: no eval, so the page works under a strict
| Content-Security-Policy. Components are registered here by name.
*/
import Alpine from '@alpinejs/csp'
import chat from './chat.js'

Alpine.data('dismissible', () => ({
  open: true,
  close() {
    this.open = false
  },
}))

Alpine.data('toggle', () => ({
  open: false,
  flip() {
    this.open = !this.open
  },
}))

Alpine.data('copyable', () => ({
  copied: false,
  async copy() {
    const source = this.$refs.source
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent)
      this.copied = true
      setTimeout(() => (this.copied = false), 2000)
    } catch {
      source.select?.()
    }
  },
}))

Alpine.data('confirmDanger', () => ({
  confirming: false,
  ask() {
    this.confirming = true
  },
  cancel() {
    this.confirming = false
  },
}))

Alpine.data('chat', chat)

window.Alpine = Alpine
Alpine.start()
