/**
 * The output protocol: how a model's answer turns into changes to the
 * project's files. Models without native tool calls write tagged text:
 *
 *   <xb-module id="waitlist">{"headline": "Join us"}</xb-module>
 *   <xb-write path="public/about.html">…whole file…</xb-write>
 *   <xb-edit path="server.js"><search>old text</search><replace>new text</replace></xb-edit>
 *   <xb-delete path="old.js" />
 *   <xb-rename from="a.js" to="b.js" />
 *   <xb-dependency name="marked" version="^12.0.0" />
 *   <xb-remove-module id="pricing-page" />
 *   <xb-update-module id="landing-page">{"headline": "New words"}</xb-update-module>
 *
 * A module removal takes a module (its routes, pages and navigation links)
 * out of the app; a module update changes some parameters of a module the
 * app already has and keeps the others (it never adds the module).
 *
 * Parsing is lenient, because small models get details wrong: tag and
 * attribute names in any case, `file=`/`filename=` for `path=`, quotes of
 * either kind or none, <xb-file> for <xb-write>, code fences around file
 * content, a closing tag missing at the very end of a finished answer.
 * Validation is strict: an operation without what it needs is refused with
 * a problem the chat shows; paths are confined later, by the repository.
 */
export type OutputOp =
  | { op: 'module'; id: string; params: Record<string, unknown> }
  | { op: 'write'; path: string; content: string }
  | { op: 'edit'; path: string; search: string; replace: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'dependency'; name: string; version: string }
  | { op: 'remove-module'; id: string }
  | { op: 'update-module'; id: string; params: Record<string, unknown> }

export type ParsedOutput = {
  ops: OutputOp[]
  /** Human messages about what could not be used, for the chat. */
  problems: string[]
  /** Instructions shown inside code blocks: examples, not applied. */
  examples: number
}

const KINDS: Record<string, OutputOp['op']> = {
  'module': 'module',
  'write': 'write',
  'file': 'write',
  'edit': 'edit',
  'delete': 'delete',
  'remove': 'delete',
  'rename': 'rename',
  'move': 'rename',
  'dependency': 'dependency',
  'dep': 'dependency',
  'remove-module': 'remove-module',
  'module-remove': 'remove-module',
  'delete-module': 'remove-module',
  'update-module': 'update-module',
  'module-update': 'update-module',
  'module-params': 'update-module',
}

const OPEN_TAG = /<xb-([a-z]+(?:-[a-z]+)*)((?:\s+[a-z_-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>/]+))?)*)\s*(\/?)>/gi
const ATTRIBUTE = /([a-z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>/]+)))?/gi

function attributes(source: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const match of source.matchAll(ATTRIBUTE)) {
    result[match[1].toLowerCase()] = match[2] ?? match[3] ?? match[4] ?? ''
  }
  return result
}

/**
 * Removes one Markdown code fence wrapped around content (```lang … ```),
 * which models add out of habit.
 */
export function unfence(content: string): string {
  const trimmed = content.replace(/^\s*\n/, '').replace(/\n\s*$/, '')
  const fenced = trimmed.match(/^```[^\n`]*\n([\s\S]*?)\n?```\s*$/)
  return fenced ? fenced[1] : content.replace(/^\n/, '')
}

function pathOf(attrs: Record<string, string>): string | undefined {
  return attrs.path ?? attrs.file ?? attrs.filename ?? attrs.name
}

/** A tag found at the top level of an answer, with its body (for tags that have one). */
type FoundTag = {
  tag: string
  kind: (typeof KINDS)[string] | undefined
  attrs: Record<string, string>
  body: string
  closed: boolean
  /** Another instruction opened inside this one's body (its text is not taken apart). */
  nested: string | null
}

/** A Markdown code fence opening a line (up to 3 spaces, then 3+ backticks or tildes). */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})[^\n]*$/gm

/**
 * Where the fenced code block that opens at or after `from` starts and ends
 * (CommonMark: closed by a line of at least as many of the same character,
 * or running to the end of the text).
 */
function nextFence(text: string, from: number): { start: number; end: number } | null {
  FENCE_OPEN.lastIndex = from
  let open: RegExpExecArray | null
  while ((open = FENCE_OPEN.exec(text))) {
    // A backtick fence's info string may not contain backticks (it is inline code then).
    const marker = open[1]
    if (marker[0] === '`' && open[0].slice(open[0].indexOf(marker) + marker.length).includes('`')) continue
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`, 'gm')
    close.lastIndex = open.index + open[0].length
    const closing = close.exec(text)
    return { start: open.index, end: closing ? closing.index + closing[0].length : text.length }
  }
  return null
}

/** True when the position is inside an inline code span of its line (an odd number of backticks before it). */
function inInlineCode(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1
  return (text.slice(lineStart, at).match(/`/g)?.length ?? 0) % 2 === 1
}

/**
 * The instructions of an answer, in order. Instructions shown inside a
 * Markdown code block (fenced, or inline code) are examples, not changes:
 * they are counted and skipped. The body of a tag runs to its matching
 * closing tag, counting tags of the same name opened inside it, so a nested
 * instruction never cuts a file short; nesting is reported by the caller.
 */
function scan(text: string): { tags: FoundTag[]; examples: number } {
  const tags: FoundTag[] = []
  let examples = 0
  let position = 0
  let fence: { start: number; end: number } | null | undefined
  while (position < text.length) {
    OPEN_TAG.lastIndex = position
    const match = OPEN_TAG.exec(text)
    // The next fence, looked up again only once the scan has passed it.
    if (fence === undefined || (fence && fence.start < position)) fence = nextFence(text, position)
    if (fence && (!match || fence.start < match.index)) {
      OPEN_TAG.lastIndex = fence.start
      for (let inside = OPEN_TAG.exec(text); inside && inside.index < fence.end; inside = OPEN_TAG.exec(text)) examples += 1
      position = fence.end
      continue
    }
    if (!match) break
    position = match.index + match[0].length
    if (inInlineCode(text, match.index)) {
      examples += 1
      continue
    }
    const tag = match[1].toLowerCase()
    const kind = KINDS[tag]
    const found: FoundTag = { tag, kind, attrs: attributes(match[2] ?? ''), body: '', closed: true, nested: null }
    tags.push(found)
    if (match[3] === '/' || !(kind === 'module' || kind === 'update-module' || kind === 'write' || kind === 'edit')) continue

    const sameName = new RegExp(`<(/?)xb-${tag}(?![\\w-])[^>]*?(/?)>`, 'gi')
    sameName.lastIndex = position
    let depth = 1
    let end = -1
    let after = text.length
    for (let next = sameName.exec(text); next; next = sameName.exec(text)) {
      if (next[1]) depth -= 1
      else if (!next[2]) depth += 1
      if (depth === 0) {
        end = next.index
        after = next.index + next[0].length
        break
      }
    }
    found.closed = end !== -1
    found.body = text.slice(position, found.closed ? end : text.length)
    position = after
    OPEN_TAG.lastIndex = 0
    const inner = [...found.body.matchAll(OPEN_TAG)].find((m) => KINDS[m[1].toLowerCase()])
    if (inner) found.nested = inner[0]
  }
  return { tags, examples }
}

/**
 * @param finished  true when the answer ended normally; an operation whose
 *                  closing tag never came is then taken as complete. In an
 *                  answer that was cut off, it is refused: its content may be
 *                  missing its end.
 */
export function parseOutput(text: string, options: { finished: boolean }): ParsedOutput {
  const ops: OutputOp[] = []
  const problems: string[] = []
  const { tags, examples } = scan(text)

  for (const { tag, kind, attrs, body, closed, nested } of tags) {
    if (!kind) {
      problems.push(`Unknown instruction <xb-${tag}> was ignored`)
      continue
    }
    const where = pathOf(attrs) ?? attrs.id ?? attrs.from ?? ''
    if (!closed && !options.finished) {
      problems.push(`The answer was cut off while writing ${where || `<xb-${tag}>`}: that change was not applied`)
      continue
    }
    if (nested) {
      problems.push(`${where || `<xb-${tag}>`} contains another instruction (${nested}): instructions cannot be nested, so it was not applied`)
      continue
    }

    switch (kind) {
      case 'module':
      case 'update-module': {
        const id = attrs.id ?? attrs.name
        if (!id) {
          problems.push(`A module ${kind === 'module' ? 'instruction' : 'update'} without an id was ignored`)
          break
        }
        let params: Record<string, unknown> = {}
        const json = unfence(body).trim()
        if (json) {
          try {
            const parsed = JSON.parse(json)
            if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
            params = parsed
          } catch {
            problems.push(`The parameters of module "${id}" are not a JSON object: the module was not ${kind === 'module' ? 'added' : 'updated'}`)
            break
          }
        }
        if (kind === 'update-module' && Object.keys(params).length === 0) {
          problems.push(`The update of module "${id}" names no parameter to change`)
          break
        }
        ops.push({ op: kind, id, params })
        break
      }
      case 'remove-module': {
        const id = attrs.id ?? attrs.name
        if (!id) problems.push('A module removal without an id was ignored')
        else ops.push({ op: 'remove-module', id })
        break
      }
      case 'write': {
        const path = pathOf(attrs)
        if (!path) problems.push('A file without a path was ignored')
        else ops.push({ op: 'write', path, content: unfence(body) })
        break
      }
      case 'edit': {
        const path = pathOf(attrs)
        const search = body.match(/<search>([\s\S]*?)<\/search>/i)
        const replace = body.match(/<replace>([\s\S]*?)<\/replace>/i)
        if (!path) problems.push('An edit without a path was ignored')
        else if (!search || !replace) problems.push(`The edit of ${path} needs <search> and <replace>: it was not applied`)
        else if (search[1] === '') problems.push(`The edit of ${path} has an empty <search>: it was not applied`)
        else ops.push({ op: 'edit', path, search: unfence(search[1]), replace: unfence(replace[1]) })
        break
      }
      case 'delete': {
        const path = pathOf(attrs)
        if (!path) problems.push('A delete without a path was ignored')
        else ops.push({ op: 'delete', path })
        break
      }
      case 'rename': {
        const from = attrs.from ?? pathOf(attrs)
        const to = attrs.to
        if (!from || !to) problems.push('A rename needs from= and to=: it was ignored')
        else ops.push({ op: 'rename', from, to })
        break
      }
      case 'dependency': {
        const name = attrs.name ?? attrs.package
        const version = attrs.version ?? 'latest'
        if (!name || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) problems.push(`The dependency "${name ?? ''}" is not a valid npm package name`)
        else if (!/^[\w.^~<>=*|\s-]{1,64}$/.test(version)) problems.push(`The version "${version}" of ${name} is not a version range`)
        else ops.push({ op: 'dependency', name, version })
        break
      }
    }
  }
  return { ops, problems, examples }
}

/**
 * The file an answer is writing right now (an open tag without its closing
 * tag yet, outside code blocks), for the "writing…" indicator while it
 * streams.
 */
export function filesInProgress(text: string): string[] {
  const last = scan(text).tags.at(-1)
  if (!last || last.closed) return []
  const where = pathOf(last.attrs) ?? last.attrs.id ?? ''
  return where ? [where] : []
}
