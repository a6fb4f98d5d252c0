/*
| Alpine's CSP build: no eval, so the page works under a strict
| Content-Security-Policy. Components are registered here by name.
*/
import Alpine from '@alpinejs/csp'
import chat from './chat.js'
import workspace from './workspace.js'
import deploys from './deploys.js'
import { renderMarkdown } from './markdown.ts'

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

/*
| x-markdown="expr": renders model text as escaped Markdown. The CSP build
| forbids x-html; this directive is the one place HTML is produced, from text
| that renderMarkdown escapes first.
*/
Alpine.directive('markdown', (el, { expression }, { effect, evaluateLater }) => {
  const read = evaluateLater(expression)
  effect(() => read((text) => (el.innerHTML = renderMarkdown(String(text ?? '')))))
})

/*
| x-html-safe="expr": inserts HTML that our own code produced from escaped
| text (highlight.js output escapes the source it highlights).
*/
Alpine.directive('html-safe', (el, { expression }, { effect, evaluateLater }) => {
  const read = evaluateLater(expression)
  effect(() => read((html) => (el.innerHTML = String(html ?? ''))))
})

/*
| The project's status in the editor's header, kept true by the deploy panel
| ("live" once production is live, instead of the "draft" the page was
| rendered with; "stopped" once it no longer runs).
*/
Alpine.data('projectStatus', () => ({
  status: '',
  init() {
    this.status = this.$el.dataset.status
  },
  update(event) {
    if (event.detail.productionLive && ['draft', 'building', 'failed', 'stopped'].includes(this.status)) this.status = 'live'
    else if (event.detail.productionStopped && this.status === 'live') this.status = 'stopped'
  },
}))

Alpine.data('chat', chat)
Alpine.data('workspace', workspace)
Alpine.data('deploys', deploys)

window.Alpine = Alpine
Alpine.start()
