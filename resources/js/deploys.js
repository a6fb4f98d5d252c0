/*
| Preview and deploys next to the chat: the live preview in an iframe
| (deployed automatically after each turn that changed files), a button to
| deploy to production, the deployments with their status, and the logs of
| the newest one, followed live while it builds.
*/
async function api(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { accept: 'application/json', 'content-type': 'application/json', ...(options.headers || {}) } })
  const body = await response.json().catch(() => null)
  if (!response.ok) throw new Error(body?.errors?.map((e) => e.message).join(' ') || `Request failed (${response.status})`)
  return body
}

const ACTIVE = ['queued', 'building', 'deploying']

export default () => ({
  deployments: [],
  logs: [],
  lastLog: 0,
  following: null,
  previewUrl: '',
  productionUrl: '',
  message: '',
  busy: false,
  timer: null,

  init() {
    this.refresh()
    window.addEventListener('chat-turn-ended', () => this.refresh())
  },

  get base() {
    return this.$root.dataset.base
  },
  get hasPreview() {
    return this.previewUrl !== ''
  },
  get noPreview() {
    return this.previewUrl === ''
  },
  get hasProduction() {
    return this.productionUrl !== ''
  },
  get logText() {
    return this.logs.map((l) => l.text).join('\n')
  },

  async refresh() {
    try {
      const { deployments } = await api(`${this.base}/deployments`)
      this.deployments = deployments.map((d) => ({ ...d, label: `#${d.id} ${d.environment} · ${d.status}`, short: d.version.slice(0, 7) }))
      const preview = deployments.find((d) => d.environment === 'preview' && d.status === 'live')
      const production = deployments.find((d) => d.environment === 'production' && d.status === 'live')
      if ((preview?.url ?? '') !== this.previewUrl) {
        this.previewUrl = preview?.url ?? ''
        this.showPreview()
      }
      this.productionUrl = production?.url ?? ''
      const newest = deployments[0]
      if (newest && newest.id !== this.following) {
        this.following = newest.id
        this.logs = []
        this.lastLog = 0
      }
      if (newest) await this.loadLogs()
      clearTimeout(this.timer)
      // Keep following while something is on its way (a preview starts right after a turn).
      if (deployments.some((d) => ACTIVE.includes(d.status))) {
        this.timer = setTimeout(() => this.refresh(), 700)
      }
    } catch (error) {
      this.message = error.message
    }
  },

  /**
   * (Re)creates the preview iframe: a new version gets a fresh frame.
   */
  showPreview() {
    const box = this.$refs.previewBox
    box.replaceChildren()
    if (!this.previewUrl) return
    const frame = document.createElement('iframe')
    frame.src = this.previewUrl
    frame.title = 'Preview of the app'
    frame.className = 'h-72 w-full rounded border border-slate-200'
    frame.dataset.test = 'preview-frame'
    box.append(frame)
  },

  async loadLogs() {
    const { logs } = await api(`/deployments/${this.following}/logs?after=${this.lastLog}`)
    if (logs.length) {
      this.logs = [...this.logs, ...logs].slice(-300)
      this.lastLog = logs[logs.length - 1].id
    }
  },

  async deployProduction() {
    this.busy = true
    this.message = ''
    try {
      await api(`${this.base}/deployments`, { method: 'POST', headers: { 'x-csrf-token': this.$root.dataset.csrf }, body: JSON.stringify({ environment: 'production' }) })
      await this.refresh()
    } catch (error) {
      this.message = error.message
    } finally {
      this.busy = false
    }
  },
})
