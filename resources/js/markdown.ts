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

export function renderMarkdown(source: string): string {
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
