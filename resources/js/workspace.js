/*
| The project's files and versions next to the chat: a file tree, a code
| view with syntax highlighting, editing and saving, locks, the version list
| with a diff of each version against its parent, and restore.
*/
import hljs from 'highlight.js/lib/common'

async function api(url, options = {}) {
  const response = await fetch(url, {
    ...options,
    headers: { 'accept': 'application/json', 'content-type': 'application/json', ...(options.headers || {}) },
  })
  const body = response.status === 204 ? null : await response.json().catch(() => null)
  if (!response.ok) throw new Error(body?.errors?.map((e) => e.message).join(' ') || `Request failed (${response.status})`)
  return body
}

export default () => ({
  tab: 'files',
  files: [],
  versions: [],
  current: null,
  editing: false,
  draft: '',
  diff: null,
  message: '',
  busy: false,

  init() {
    this.refresh()
    window.addEventListener('chat-turn-ended', () => this.refresh())
  },

  get base() {
    return this.$root.dataset.base
  },
  get csrf() {
    return this.$root.dataset.csrf
  },
  get showFiles() {
    return this.tab === 'files'
  },
  get showVersions() {
    return this.tab === 'versions'
  },
  get filesTabClass() {
    return this.tab === 'files' ? 'font-semibold text-brand-600' : 'text-slate-500'
  },
  get versionsTabClass() {
    return this.tab === 'versions' ? 'font-semibold text-brand-600' : 'text-slate-500'
  },
  get noFiles() {
    return this.files.length === 0
  },
  get hasCurrent() {
    return this.current !== null
  },
  get viewing() {
    return this.current !== null && !this.editing
  },
  get lockLabel() {
    return this.current && this.current.locked ? 'Unlock' : 'Lock'
  },

  openFiles() {
    this.tab = 'files'
  },
  openVersions() {
    this.tab = 'versions'
  },

  async refresh() {
    try {
      const [files, versions] = await Promise.all([api(`${this.base}/files`), api(`${this.base}/versions`)])
      this.files = files.files.map((f) => ({ ...f, depth: f.path.split('/').length - 1, label: f.path.split('/').pop(), lockedMark: f.locked ? '🔒' : '' }))
      this.versions = versions.versions.map((v) => ({ ...v, short: v.version.slice(0, 7), when: new Date(v.date).toLocaleString() }))
      if (this.current) await this.open(this.current.path)
    } catch (error) {
      this.message = error.message
    }
  },

  async openFile(event) {
    await this.open(event.currentTarget.dataset.path)
  },

  async open(path) {
    const file = await api(`${this.base}/files/${path.split('/').map(encodeURIComponent).join('/')}`)
    const language = hljs.getLanguage(path.split('.').pop()) ? path.split('.').pop() : 'plaintext'
    const html = file.binary ? '(binary file)' : hljs.highlight(file.content, { language, ignoreIllegals: true }).value
    this.current = { ...file, html }
    this.editing = false
    this.diff = null
  },

  edit() {
    this.draft = this.current.content
    this.editing = true
  },

  cancel() {
    this.editing = false
  },

  async save() {
    this.busy = true
    try {
      await api(`${this.base}/files/${this.current.path.split('/').map(encodeURIComponent).join('/')}`, {
        method: 'PUT',
        headers: { 'x-csrf-token': this.csrf },
        body: JSON.stringify({ content: this.draft }),
      })
      this.message = `Saved ${this.current.path}`
      await this.refresh()
    } catch (error) {
      this.message = error.message
    } finally {
      this.busy = false
    }
  },

  async toggleLock() {
    try {
      await api(`${this.base}/locks`, {
        method: this.current.locked ? 'DELETE' : 'POST',
        headers: { 'x-csrf-token': this.csrf },
        body: JSON.stringify({ path: this.current.path }),
      })
      await this.refresh()
    } catch (error) {
      this.message = error.message
    }
  },

  async showDiff(event) {
    const version = event.currentTarget.dataset.version
    const diff = await api(`${this.base}/versions/${version}/diff`)
    this.diff = { version, short: version.slice(0, 7), files: diff.files.map((f) => ({ ...f, lines: f.diff.split('\n').map((text, i) => ({ i, text, cls: text.startsWith('+') ? 'text-green-700 bg-green-50' : text.startsWith('-') ? 'text-red-700 bg-red-50' : 'text-slate-600' })) })) }
  },

  async restore(event) {
    const version = event.currentTarget.dataset.version
    this.busy = true
    try {
      const result = await api(`${this.base}/versions/${version}/restore`, { method: 'POST', headers: { 'x-csrf-token': this.csrf } })
      this.message = `Restored ${version.slice(0, 7)} as a new version ${result.version.slice(0, 7)}`
      this.diff = null
      await this.refresh()
    } catch (error) {
      this.message = error.message
    } finally {
      this.busy = false
    }
  },
})
