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

export type ParsedOutput = {
  ops: OutputOp[]
  /** Human messages about what could not be used, for the chat. */
  problems: string[]
}

const KINDS: Record<string, 'module' | 'write' | 'edit' | 'delete' | 'rename' | 'dependency'> = {
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
}

const OPEN_TAG = /<xb-([a-z]+)((?:\s+[a-z_-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>/]+))?)*)\s*(\/?)>/gi
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

/**
 * @param finished  true when the answer ended normally; an operation whose
 *                  closing tag never came is then taken as complete. In an
 *                  answer that was cut off, it is refused: its content may be
 *                  missing its end.
 */
export function parseOutput(text: string, options: { finished: boolean }): ParsedOutput {
  const ops: OutputOp[] = []
  const problems: string[] = []
  OPEN_TAG.lastIndex = 0
  let match: RegExpExecArray | null

  while ((match = OPEN_TAG.exec(text))) {
    const tag = match[1].toLowerCase()
    const kind = KINDS[tag]
    const attrs = attributes(match[2] ?? '')
    if (!kind) {
      problems.push(`Unknown instruction <xb-${tag}> was ignored`)
      continue
    }
    const selfClosing = match[3] === '/'
    let body = ''
    let closed = true
    if (!selfClosing && (kind === 'module' || kind === 'write' || kind === 'edit')) {
      const closing = new RegExp(`</xb-${tag}\\s*>`, 'i')
      const rest = text.slice(OPEN_TAG.lastIndex)
      const end = rest.search(closing)
      if (end === -1) {
        closed = false
        body = rest
        OPEN_TAG.lastIndex = text.length
      } else {
        body = rest.slice(0, end)
        OPEN_TAG.lastIndex += end + rest.slice(end).match(closing)![0].length
      }
    }
    const where = pathOf(attrs) ?? attrs.id ?? attrs.from ?? ''
    if (!closed && !options.finished) {
      problems.push(`The answer was cut off while writing ${where || `<xb-${tag}>`}: that change was not applied`)
      continue
    }

    switch (kind) {
      case 'module': {
        const id = attrs.id ?? attrs.name
        if (!id) {
          problems.push('A module instruction without an id was ignored')
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
            problems.push(`The parameters of module "${id}" are not a JSON object: the module was not added`)
            break
          }
        }
        ops.push({ op: 'module', id, params })
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
  return { ops, problems }
}

/**
 * The files an answer is writing right now (open tags without their closing
 * tag yet), for the "writing…" indicator while it streams.
 */
export function filesInProgress(text: string): string[] {
  const open: string[] = []
  const parsed = text.matchAll(/<(\/?)xb-(write|file|edit|module)\b([^>]*)>/gi)
  for (const match of parsed) {
    if (match[1]) open.pop()
    else {
      const attrs = attributes(match[3])
      open.push(pathOf(attrs) ?? attrs.id ?? '')
    }
  }
  return open.filter(Boolean)
}
