/**
 * Markdown for model output, safe by construction: the text is HTML-escaped
 * first, then a small set of Markdown constructs is turned into tags. No
 * HTML from the model survives, links are http(s) only. Used for streamed
 * answers (re-rendered as text arrives) and for the stored history.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

function inline(text: string): string {
  // Code spans first: their content is left alone.
  const codes: string[] = []
  let out = text.replace(/`([^`\n]+)`/g, (_, code) => {
    codes.push(`<code>${code}</code>`)
    return `\u0000${codes.length - 1}\u0000`
  })
  out = out
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1<em>$2</em>')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" rel="noopener noreferrer nofollow" target="_blank">$1</a>')
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => codes[Number(i)])
}

const OP_LABELS: Record<string, string> = {
  module: 'adds module',
  write: 'writes',
  file: 'writes',
  edit: 'edits',
  delete: 'deletes',
  remove: 'deletes',
  rename: 'renames',
  move: 'renames',
  dependency: 'adds dependency',
  dep: 'adds dependency',
}

/**
 * File instructions of the output protocol (<xb-write path="…">…</xb-write>
 * and friends) are shown as one line each — "writes public/index.html" —
 * not as their content, also while they are still streaming.
 */
function extractOperations(source: string): { text: string; labels: string[] } {
  const labels: string[] = []
  const text = source.replace(/<xb-([a-z]+)\b([^>]*?)\s*(?:\/>|>([\s\S]*?)(?:<\/xb-\1\s*>|$))/gi, (_, tag: string, attrs: string) => {
    const attr = (name: string) => attrs.match(new RegExp(`${name}\\s*=\\s*["']?([^"'\\s>]+)`, 'i'))?.[1]
    const target = attr('path') ?? attr('file') ?? attr('filename') ?? attr('id') ?? attr('name') ?? ''
    const to = attr('to')
    const from = attr('from')
    labels.push(`${OP_LABELS[tag.toLowerCase()] ?? tag} ${from ? `${from} → ${to ?? '?'}` : target}`.trim())
    return `\n\u0002${labels.length - 1}\u0002\n`
  })
  return { text, labels }
}

export function renderMarkdown(source: string): string {
  const { text, labels } = extractOperations(source)
  return renderText(text).replace(/(?:<p>)?\u0002(\d+)\u0002(?:<\/p>)?/g, (_, i) => `<p class="xb-op">${escapeHtml(labels[Number(i)])}</p>`)
}

function renderText(source: string): string {
  const escaped = escapeHtml(source)
  const html: string[] = []
  // Fenced code blocks; an unclosed fence (still streaming) runs to the end.
  const parts = escaped.split(/^```[^\n]*\n?/m)
  parts.forEach((part, index) => {
    if (index % 2 === 1) {
      html.push(`<pre><code>${part.replace(/\n$/, '')}</code></pre>`)
      return
    }
    let list: 'ul' | 'ol' | null = null
    let paragraph: string[] = []
    const flushParagraph = () => {
      if (paragraph.length) html.push(`<p>${paragraph.map(inline).join('<br>')}</p>`)
      paragraph = []
    }
    const closeList = () => {
      if (list) html.push(`</${list}>`)
      list = null
    }
    for (const line of part.split('\n')) {
      const heading = line.match(/^(#{1,4})\s+(.*)$/)
      const bullet = line.match(/^\s*[-*]\s+(.*)$/)
      const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/)
      if (heading) {
        flushParagraph()
        closeList()
        const level = Math.min(6, heading[1].length + 2)
        html.push(`<h${level}>${inline(heading[2])}</h${level}>`)
      } else if (bullet || numbered) {
        flushParagraph()
        const kind = bullet ? 'ul' : 'ol'
        if (list !== kind) {
          closeList()
          html.push(`<${kind}>`)
          list = kind
        }
        html.push(`<li>${inline((bullet ?? numbered)![1])}</li>`)
      } else if (line.trim() === '') {
        flushParagraph()
        closeList()
      } else {
        closeList()
        paragraph.push(line)
      }
    }
    flushParagraph()
    closeList()
  })
  return html.join('')
}
