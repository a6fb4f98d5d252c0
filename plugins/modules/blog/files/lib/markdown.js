// A small Markdown renderer that is safe by construction: the text is never passed through as HTML.
// Every character outside the few constructs below is escaped, and links or images are kept only for
// http(s), mailto and site-relative URLs (no javascript:).
// Supported: # headings, paragraphs, **strong**, *em* / _em_, `code`, fenced code blocks, - and 1.
// lists, > quotes, --- rules, [links](url) and ![images](url).
import { escapeHtml } from './html.js'

function safeHref(url) {
  return /^(https?:\/\/|mailto:|\/(?![/\\])|#)/i.test(url) && !/[\s\u0000-\u001f\\]/.test(url) ? url : null
}

const INLINE = /`([^`]+)`|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*\*(.+?)\*\*|\*(.+?)\*|(?<![A-Za-z0-9])_(.+?)_(?![A-Za-z0-9])/g

export function renderInline(text) {
  let out = ''
  let last = 0
  for (const match of text.matchAll(INLINE)) {
    out += escapeHtml(text.slice(last, match.index))
    last = match.index + match[0].length
    const [, code, alt, imageUrl, label, linkUrl, strong, em, em2] = match
    if (code !== undefined) out += `<code>${escapeHtml(code)}</code>`
    else if (imageUrl !== undefined) {
      const src = safeHref(imageUrl)
      out += src ? `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt)}">` : escapeHtml(alt)
    } else if (linkUrl !== undefined) {
      const href = safeHref(linkUrl)
      out += href ? `<a href="${escapeHtml(href)}" rel="nofollow noopener">${renderInline(label)}</a>` : renderInline(label)
    } else if (strong !== undefined) out += `<strong>${renderInline(strong)}</strong>`
    else out += `<em>${renderInline(em ?? em2)}</em>`
  }
  return out + escapeHtml(text.slice(last))
}

export function renderMarkdown(source) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n')
  const out = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (/^\s*$/.test(line)) {
      i++
    } else if (/^```/.test(line)) {
      const code = []
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i])
      i++
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`)
    } else if (/^#{1,6}\s/.test(line)) {
      const level = line.match(/^#+/)[0].length
      out.push(`<h${level}>${renderInline(line.slice(level).trim())}</h${level}>`)
      i++
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push('<hr>')
      i++
    } else if (/^>/.test(line)) {
      const quoted = []
      for (; i < lines.length && /^>/.test(lines[i]); i++) quoted.push(lines[i].replace(/^>\s?/, ''))
      out.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`)
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d/.test(line)
      const item = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/
      const items = []
      for (; i < lines.length && item.test(lines[i]); i++) items.push(`<li>${renderInline(lines[i].replace(item, ''))}</li>`)
      out.push(ordered ? `<ol>${items.join('')}</ol>` : `<ul>${items.join('')}</ul>`)
    } else {
      const paragraph = []
      for (; i < lines.length && !/^\s*$/.test(lines[i]) && !/^(```|#{1,6}\s|>)/.test(lines[i]); i++) paragraph.push(lines[i].trim())
      out.push(`<p>${renderInline(paragraph.join(' '))}</p>`)
    }
  }
  return out.join('\n')
}
