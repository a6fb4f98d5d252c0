/*
| Preview and deploys next to the chat: the live preview in an iframe
| (deployed automatically after each turn that changed files), a button to
| deploy to production, the deployments with their status, and the logs of
| the newest one, followed live over Server-Sent Events (EventSource) with
| a progress indicator. If the stream cannot be used, it polls instead.
*/
async function api(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { accept: 'application/json', 'content-type': 'application/json', ...(options.headers || {}) } })
  const body = await response.json().catch(() => null)
  if (!response.ok) {
    const error = new Error(body?.errors?.map((e) => e.message).join(' ') || `Request failed (${response.status})`)
    error.code = body?.errors?.[0]?.code
    throw error
  }
  return body
}

/**
 * The address of a live app as this browser can reach it: `*.localhost` app
 * hosts resolve only on the platform's own machine, so a page opened from
 * elsewhere (a server's IP, a LAN name) uses the app's sandboxed path URL on
 * the address the page was opened on.
 */
function reachableUrl(deployment) {
  if (!deployment?.url) return ''
  const host = new URL(deployment.url).hostname
  const here = location.hostname
  const onThisMachine = here === 'localhost' || here.endsWith('.localhost') || here.startsWith('127.') || here === '[::1]'
  if (deployment.path_url && (host === 'localhost' || host.endsWith('.localhost')) && !onThisMachine) return location.origin + deployment.path_url
  return deployment.url
}

// On its way to live ('starting': an app the platform brings back after a restart).
const ACTIVE = ['queued', 'building', 'deploying', 'starting']
const STEPS = ['queued', 'building', 'deploying', 'live']
const STEP_CLASS = {
  done: 'rounded px-2 py-0.5 bg-green-100 text-green-800',
  current: 'rounded px-2 py-0.5 bg-brand-600 text-white animate-pulse',
  failed: 'rounded px-2 py-0.5 bg-red-100 text-red-800',
  todo: 'rounded px-2 py-0.5 bg-slate-100 text-slate-400',
}

const STATUS_CLASS = {
  live: 'bg-green-100 text-green-800',
  failed: 'bg-red-100 text-red-800',
  stopped: 'bg-slate-100 text-slate-600',
}

/**
 * A deployment of the list with the actions that make sense for it: Stop
 * while it runs or is on its way; Redeploy for the newest of its
 * environment; Rollback for an older one (its version, deployed again).
 */
function present(d, all) {
  const newest = all.find((other) => other.environment === d.environment)
  const isNewest = newest?.id === d.id
  return {
    ...d,
    label: `#${d.id} ${d.environment}`,
    short: d.version.slice(0, 7),
    statusClass: `rounded px-1.5 py-0.5 ${STATUS_CLASS[d.status] ?? 'bg-amber-100 text-amber-800'}`,
    when: new Date(d.created_at).toLocaleString(),
    canStop: ACTIVE.includes(d.status) || d.status === 'live',
    canRedeploy: isNewest && !ACTIVE.includes(d.status),
    canRollback: !isNewest,
    reasonText: d.reason || '',
    // Its target keeps no data (Vercel, Railway): said next to it.
    dataWarning: d.data_kept === false ? d.data_note : '',
  }
}

export default () => ({
  deployments: [],
  logs: [],
  lastLog: 0,
  /** The followed deployment's "… N lines dropped" line (updated in place, shown above the lines). */
  dropped: null,
  /** When housekeeping deleted the followed deployment's logs. */
  logsDeletedAt: '',
  following: null,
  newestSeen: null,
  followedStatus: '',
  /** The furthest step the followed deployment reached (where a failure happened). */
  reached: '',
  source: null,
  streamErrors: 0,
  /** Set once EventSource failed: logs are polled from then on. */
  polling: typeof EventSource === 'undefined',
  previewUrl: '',
  productionUrl: '',
  message: '',
  busy: false,
  timer: null,
  /** Owner pages of the live apps (from the modules' manifests), and the credentials once revealed. */
  owner: { pages: [], production: null, preview: null },
  credentials: [],
  askingPassword: false,
  password: '',
  credentialsError: '',

  init() {
    this.refresh()
    window.addEventListener('chat-turn-ended', () => this.refresh())
    window.addEventListener('beforeunload', () => this.closeStream())
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
  get hasOwnerPages() {
    return Boolean(this.owner.production || this.owner.preview) && this.owner.pages.length > 0
  },
  /** Each owner page of each live app, as a one-click form (see the template). */
  get ownerLinks() {
    const links = []
    for (const environment of ['production', 'preview']) {
      const live = this.owner[environment]
      if (!live) continue
      for (const page of live.pages) links.push({ key: `${environment}:${page.path}`, environment, next: page.path, label: page.label, where: environment === 'preview' ? 'preview' : '' })
    }
    return links
  },
  get hasCredentials() {
    return this.credentials.length > 0
  },
  get canReveal() {
    return this.password.length > 0 && !this.busy
  },
  get followedLabel() {
    return this.following ? `#${this.following}` : ''
  },
  get logText() {
    return this.logs.map((l) => l.text).join('\n')
  },
  get droppedText() {
    return this.dropped ? this.dropped.text : ''
  },
  get logsDeletedNote() {
    return this.logsDeletedAt ? `The logs of this deployment were deleted on ${new Date(this.logsDeletedAt).toLocaleString()} (old deployments keep no logs).` : ''
  },
  get hasProgress() {
    return this.followedStatus !== ''
  },
  get progress() {
    // An app the platform brings back after a restart is at the "deploying" step (started, waiting for /health).
    const status = this.followedStatus === 'starting' ? 'deploying' : this.followedStatus
    const reachedIndex = STEPS.indexOf(this.reached)
    return STEPS.map((name, index) => {
      let state = 'todo'
      if (status === 'live') state = 'done'
      else if (status === 'failed' || status === 'stopped') state = index < reachedIndex ? 'done' : index === reachedIndex ? 'failed' : 'todo'
      else if (index < STEPS.indexOf(status)) state = 'done'
      else if (index === STEPS.indexOf(status)) state = 'current'
      return { name, state, cls: STEP_CLASS[state], label: name }
    })
  },
  get progressNote() {
    if (this.followedStatus === 'failed') return 'failed'
    if (this.followedStatus === 'stopped') return 'stopped'
    return ''
  },

  async refresh() {
    try {
      const { deployments } = await api(`${this.base}/deployments`)
      this.deployments = deployments.map((d) => present(d, deployments))
      const preview = deployments.find((d) => d.environment === 'preview' && d.status === 'live')
      const production = deployments.find((d) => d.environment === 'production' && d.status === 'live')
      if (reachableUrl(preview) !== this.previewUrl) {
        this.previewUrl = reachableUrl(preview)
        this.showPreview()
      }
      this.productionUrl = reachableUrl(production)
      // The rest of the page shows no stale state: the chat's "Deploying a preview…" notice, the project's status.
      const previewBusy = deployments.some((d) => d.environment === 'preview' && ACTIVE.includes(d.status))
      const productionStopped = !production && deployments.some((d) => d.environment === 'production' && d.status === 'stopped')
      window.dispatchEvent(new CustomEvent('deploys-changed', { detail: { previewBusy, productionLive: Boolean(production), productionStopped } }))
      await this.loadOwner()
      // A new deployment is followed as it appears; one picked with "Logs" stays shown until then.
      const newest = deployments[0]
      if (newest && newest.id !== this.newestSeen) {
        this.newestSeen = newest.id
        if (newest.id !== this.following) this.follow(newest)
      }
      clearTimeout(this.timer)
      if (this.polling) {
        if (newest) await this.loadLogs()
        // Keep following while something is on its way (a preview starts right after a turn).
        if (deployments.some((d) => ACTIVE.includes(d.status))) this.timer = setTimeout(() => this.refresh(), 700)
      } else if (deployments.some((d) => ACTIVE.includes(d.status) && d.id !== this.following)) {
        // Another deployment is waiting behind the followed one: look again soon.
        this.timer = setTimeout(() => this.refresh(), 2000)
      }
    } catch (error) {
      this.message = error.message
    }
  },

  follow(deployment) {
    this.closeStream()
    this.following = deployment.id
    this.logs = []
    this.lastLog = 0
    this.dropped = null
    this.logsDeletedAt = deployment.logs_deleted_at || ''
    this.reached = ''
    this.setStatus(deployment.status)
    if (!this.polling) this.openStream()
  },

  setStatus(status) {
    this.followedStatus = status
    if (STEPS.includes(status) && STEPS.indexOf(status) > STEPS.indexOf(this.reached)) this.reached = status
  },

  /**
   * The followed deployment's logs and status, live. EventSource resumes
   * by itself after a dropped connection (Last-Event-ID); the stream ends
   * with an `end` event once the deployment is live, failed or stopped.
   */
  openStream() {
    const id = this.following
    const source = new EventSource(`/deployments/${id}/logs`)
    this.source = source
    source.addEventListener('status', (event) => {
      if (id !== this.following) return
      const data = JSON.parse(event.data)
      this.setStatus(data.status)
      this.deployments = this.deployments.map((d) => (d.id === data.id ? present({ ...d, status: data.status }, this.deployments) : d))
    })
    source.addEventListener('log', (event) => {
      if (id !== this.following) return
      this.addLines([JSON.parse(event.data)])
    })
    source.addEventListener('end', (event) => {
      source.close()
      if (id !== this.following) return
      this.source = null
      this.setStatus(JSON.parse(event.data).status)
      this.refresh()
    })
    source.addEventListener('error', () => {
      if (this.source !== source) return
      this.streamErrors += 1
      // Refused (not a stream) or failing again and again: poll instead.
      if (source.readyState === EventSource.CLOSED || this.streamErrors >= 3) {
        source.close()
        this.source = null
        this.polling = true
        this.refresh()
      }
    })
  },

  closeStream() {
    if (this.source) this.source.close()
    this.source = null
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

  /** The polling fallback. */
  async loadLogs() {
    const { status, logs, dropped } = await api(`/deployments/${this.following}/logs?after=${this.lastLog}`)
    this.setStatus(status)
    this.addLines(dropped ? [...logs, dropped] : logs)
  },

  /**
   * New lines at the end (the last 300 shown). The marker of dropped lines
   * comes again, with the same id, each time its count changes: it replaces
   * the one shown, and is not counted as the last line seen.
   */
  addLines(lines) {
    const fresh = []
    for (const line of lines) {
      if (line.stream === 'dropped') {
        this.dropped = line
        continue
      }
      if (line.id <= this.lastLog) continue
      fresh.push(line)
      this.lastLog = line.id
    }
    if (fresh.length) this.logs = [...this.logs, ...fresh].slice(-300)
  },

  async loadOwner() {
    try {
      this.owner = await api(`${this.base}/owner`)
    } catch {
      this.owner = { pages: [], production: null, preview: null }
    }
  },

  /**
   * Opens an owner page in a new tab, signed in: the tab is opened at once
   * (in the click, so no popup blocker stops it), then sent to a one-time
   * link the platform signs. The app's page gets no handle on the editor.
   */
  async openOwnerPage(event) {
    const { environment, path } = event.currentTarget.dataset
    const tab = window.open('', '_blank')
    if (tab) tab.opener = null
    try {
      const { url } = await api(`${this.base}/owner/link`, { method: 'POST', headers: { 'x-csrf-token': this.$root.dataset.csrf }, body: JSON.stringify({ environment, next: path }) })
      if (tab) tab.location.href = url
      else window.location.href = url
    } catch (error) {
      tab?.close()
      this.message = error.message
    }
  },

  /** Rollback and Redeploy both deploy that deployment's version again, as a new deployment. */
  async redeploy(event) {
    await this.act(`/deployments/${event.currentTarget.dataset.id}/rollback`)
  },

  async stop(event) {
    await this.act(`/deployments/${event.currentTarget.dataset.id}/stop`)
  },

  async act(url) {
    this.busy = true
    this.message = ''
    const send = (body) => api(url, { method: 'POST', headers: { 'x-csrf-token': this.$root.dataset.csrf }, body: body && JSON.stringify(body) })
    try {
      try {
        await send()
      } catch (error) {
        // An app that keeps data, to a target that keeps none (Vercel, Railway): only once the user agrees.
        if (error.code !== 'data_not_kept' || !window.confirm(`${error.message.replace(/ To deploy it there anyway.*$/, '')}\n\nDeploy it anyway?`)) throw error
        await send({ accept_data_loss: true })
      }
      await this.refresh()
    } catch (error) {
      this.message = error.message
    } finally {
      this.busy = false
    }
  },

  /** Shows the logs of that deployment (followed live while it runs). */
  showLogs(event) {
    const deployment = this.deployments.find((d) => String(d.id) === event.currentTarget.dataset.id)
    if (deployment) this.follow(deployment)
  },

  askPassword() {
    this.askingPassword = true
    this.credentialsError = ''
    this.$nextTick(() => this.$refs.revealPassword?.focus())
  },

  hideCredentials() {
    this.credentials = []
    this.askingPassword = false
    this.password = ''
  },

  /** The generated credentials, after the user types their own password again. */
  async reveal() {
    if (!this.canReveal) return
    this.busy = true
    this.credentialsError = ''
    try {
      const { credentials } = await api(`${this.base}/owner/credentials`, { method: 'POST', headers: { 'x-csrf-token': this.$root.dataset.csrf }, body: JSON.stringify({ password: this.password }) })
      this.credentials = credentials.map((c) => ({ ...c, key: `${c.name}:${c.environment}`, scope: c.environment === 'all' ? 'both environments' : c.environment }))
      this.askingPassword = false
    } catch (error) {
      this.credentialsError = error.message
    } finally {
      this.password = ''
      this.busy = false
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
