/*
| The project chat: sends a turn, reads the answer as Server-Sent Events
| from a fetch stream, renders it (escaped Markdown) as it arrives, and can
| stop it. Registered as an Alpine component (CSP build: no inline code).
*/
function formatMeta(message) {
  if (message.role !== 'assistant' || !message.model) return ''
  const tokens = (message.input_tokens ?? 0) + (message.output_tokens ?? 0)
  const cost = Number(message.cost_usd ?? 0)
  const parts = [`${message.provider}/${message.model}`, `${tokens.toLocaleString('en-US')} tokens`, `$${cost.toFixed(cost < 0.01 ? 4 : 2)}`]
  if (message.status === 'partial') parts.push('cut off')
  if (message.status === 'stopped') parts.push('stopped')
  if (message.status === 'error') parts.push('failed')
  return parts.join(' · ')
}

function describeChanges(changes) {
  if (!changes) return ''
  const lines = []
  if (changes.version) lines.push(`New version ${changes.version.slice(0, 7)}: ${changes.applied.length} change(s) applied.`)
  for (const refused of changes.refused || []) lines.push(`Refused ${refused.path}: ${refused.reason}`)
  for (const problem of changes.problems || []) lines.push(problem)
  if (changes.owner_pages?.length) {
    lines.push(`Owner pages: ${changes.owner_pages.map((p) => `${p.label} (${p.path})`).join(', ')}. Open them signed in from Preview → Owner pages once the app is live.`)
  }
  return lines.join('\n')
}

function view(message) {
  return {
    id: message.id,
    role: message.role,
    isAssistant: message.role === 'assistant',
    isUser: message.role === 'user',
    status: message.status,
    isStreaming: message.status === 'streaming',
    text: message.content,
    meta: formatMeta(message),
    error: message.error || '',
    writing: '',
    changesText: describeChanges(message.changes),
  }
}

/**
 * Parses an SSE byte stream into {event, data} objects.
 */
async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  while (true) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let boundary
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, boundary)
      buffer = buffer.slice(boundary + 2)
      let event = 'message'
      const data = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
      }
      if (data.length) yield { event, data: JSON.parse(data.join('\n')) }
    }
  }
}

const PREVIEW_NOTICE = 'Deploying a preview of the new version…'

export default () => ({
  messages: [],
  draft: '',
  choice: '',
  streaming: false,
  notice: '',
  controller: null,

  init() {
    const history = JSON.parse(this.$refs.history.textContent)
    this.messages = history.map(view)
    this.choice = this.$refs.picker ? this.$refs.picker.value : ''
    this.$nextTick(() => this.scroll())
    // The deploy panel says when no preview is on its way any more: the notice goes (no stale "Deploying…").
    window.addEventListener('deploys-changed', (event) => {
      if (this.notice === PREVIEW_NOTICE && !event.detail.previewBusy) this.notice = ''
    })
  },

  get canSend() {
    return !this.streaming && this.draft.trim().length > 0
  },

  get cannotSend() {
    return !this.canSend
  },

  scroll() {
    const log = this.$refs.log
    if (log) log.scrollTop = log.scrollHeight
  },

  keydown(event) {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault()
      this.send()
    }
  },

  stop() {
    if (this.controller) this.controller.abort()
  },

  async send() {
    if (!this.canSend) return
    const content = this.draft.trim()
    const [provider, model] = this.choice ? this.choice.split('::') : []
    this.notice = ''
    this.streaming = true
    this.controller = new AbortController()
    const user = view({ id: `u${Date.now()}`, role: 'user', content, status: 'complete' })
    const answer = view({ id: `a${Date.now()}`, role: 'assistant', content: '', status: 'streaming' })
    this.messages.push(user, answer)
    const index = this.messages.length - 1
    this.draft = ''
    this.$nextTick(() => this.scroll())

    let text = ''
    try {
      const response = await fetch(this.$root.dataset.endpoint, {
        method: 'POST',
        headers: {
          'accept': 'text/event-stream',
          'content-type': 'application/json',
          'x-csrf-token': this.$root.dataset.csrf,
        },
        body: JSON.stringify({ content, provider, model }),
        signal: this.controller.signal,
      })
      if (!response.ok) {
        const body = await response.json().catch(() => null)
        const message = body?.errors?.map((e) => e.message).join(' ') || `The request failed (${response.status})`
        this.messages.splice(index - 1, 2)
        this.draft = content
        this.notice = message
        return
      }
      for await (const { event, data } of readEvents(response.body)) {
        if (event === 'delta') {
          text += data.text
          this.messages[index] = { ...this.messages[index], text, isStreaming: true }
          this.scroll()
        } else if (event === 'writing') {
          this.messages[index] = { ...this.messages[index], writing: data.files.length ? `Writing ${data.files.join(', ')}…` : '' }
        } else if (event === 'changes') {
          this.messages[index] = { ...this.messages[index], changesText: describeChanges(data.changes) }
        } else if (event === 'preview') {
          this.notice = PREVIEW_NOTICE
        } else if (event === 'fallback') {
          this.notice = `${data.from} did not answer (${data.reason}); ${data.to} is answering instead.`
        } else if (event === 'end' || event === 'error') {
          if (data.message) this.messages[index] = view(data.message)
          this.messages[index].writing = ''
          if (event === 'error') this.messages[index].error = data.error
        }
      }
    } catch (error) {
      if (error.name === 'AbortError') {
        this.messages[index] = { ...this.messages[index], status: 'stopped', isStreaming: false, meta: 'stopped' }
      } else {
        this.messages[index] = { ...this.messages[index], status: 'error', isStreaming: false, error: 'The connection was lost.' }
      }
    } finally {
      this.streaming = false
      this.controller = null
      window.dispatchEvent(new CustomEvent('chat-turn-ended'))
    }
  },
})
