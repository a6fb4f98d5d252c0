import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A folder of third-party plugins, some broken in each way a plugin can
 * be: plain JavaScript, as a plugin shipped outside this repository is.
 */
export function brokenPluginsFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'xbasis-plugins-'))
  // ES modules, as a published plugin package declares.
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }))
  const plugin = (id: string, source: string) => {
    mkdirSync(join(root, id))
    writeFileSync(join(root, id, 'index.js'), source)
  }
  const valid = (id: string, extra = '') => `export default {
  id: '${id}', kind: 'ai-provider', name: 'Echo', description: 'Echoes the last message.', version: '1.2.3', hostApi: '^1.0.0',
  settings: [], ${extra}
  create() {
    return {
      async *stream(request) {
        const text = request.messages[request.messages.length - 1].content
        yield { type: 'text', text }
        yield { type: 'usage', inputTokens: 1, outputTokens: 1 }
        yield { type: 'end', stopReason: 'end_turn' }
      },
    }
  },
}\n`
  plugin('echo', valid('echo'))
  plugin('bad-definition', `export default { id: 'bad-definition', kind: 'teleporter', name: '', version: 'one' }\n`)
  plugin('throws-on-import', `throw new Error('boom while importing')\n`)
  plugin('future-api', valid('future-api').replace("hostApi: '^1.0.0'", "hostApi: '^2.0.0'"))
  plugin('wrong-id', valid('not-my-folder'))
  plugin('no-factory', valid('no-factory').replace('create() {', 'make() {'))
  mkdirSync(join(root, 'empty-folder'))
  return root
}
