import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { PLUGIN_KINDS } from '#plugins/definition'

/**
 * Kinds whose driver contract exists today, with the files a new plugin of
 * that kind starts from. Each scaffold is a working plugin whose test runs
 * the kind's shared contract suite.
 */
const SCAFFOLDS: Record<string, (id: string, name: string) => { index: string; spec: string }> = {
  'ai-provider': (id, name) => ({
    index: `import { definePlugin } from '#plugins/definition'
import { classifyError, type AiProvider, type ChatEvent, type ChatRequest } from '#ai/contract'

/**
 * ${name}: an AI provider plugin. This scaffold answers by echoing the
 * user's last message so it works (and passes the contract) out of the box.
 * Replace the body of stream() with calls to your service: import its SDK
 * inside create() (never at the top of the file) so a disabled plugin never
 * loads it, and turn its failures into ProviderErrors with classifyError().
 */
export default definePlugin<AiProvider>({
  id: '${id}',
  kind: 'ai-provider',
  name: '${name}',
  description: 'Describe what this provider connects to.',
  version: '0.1.0',
  hostApi: '^1.0.0',
  settings: [
    // { name: 'api_key', label: 'API key', secret: true, required: true, scopes: ['platform', 'workspace'], env: '${id.toUpperCase().replace(/-/g, '_')}_API_KEY' },
  ],
  create({ settings: _settings }) {
    return {
      async *stream(request: ChatRequest): AsyncIterable<ChatEvent> {
        try {
          const last = request.messages[request.messages.length - 1]
          const words = \`You said: \${last.content}\`.split(/(?<=\\s)/).slice(0, request.maxOutputTokens)
          for (const word of words) {
            if (request.signal?.aborted) break
            yield { type: 'text', text: word }
          }
          const input = request.messages.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0)
          yield { type: 'usage', inputTokens: input, outputTokens: words.length }
          yield { type: 'end', stopReason: 'end_turn' }
        } catch (error) {
          throw classifyError(error, '${id}')
        }
      },
    }
  },
})
`,
    spec: `import { test } from '@japa/runner'
import plugin from './index.js'
import { registerAiProviderContract } from '#tests/contracts/ai_provider'

/**
 * The shared contract of AI providers. Point the plugin at a local fake of
 * your service here when it talks to one (see tests/fakes/).
 */
registerAiProviderContract(test, '${id}', () => plugin.create({ settings: {}, logger: console as any }), {
  model: 'default',
})
`,
  }),
}

export default class MakePlugin extends BaseCommand {
  static commandName = 'make:plugin'
  static description = 'Scaffold a plugin (a working driver and its contract test) in plugins/<id>'
  static options: CommandOptions = { startApp: false }

  @args.string({ description: `Kind of plugin (${PLUGIN_KINDS.join(', ')})` })
  declare kind: string

  @args.string({ description: 'Plugin id: lowercase letters, digits and dashes' })
  declare id: string

  @flags.string({ description: 'Folder to create the plugin in (default: plugins)' })
  declare dir?: string

  async run() {
    if (!(PLUGIN_KINDS as readonly string[]).includes(this.kind)) {
      this.logger.error(`Unknown kind "${this.kind}". Kinds: ${PLUGIN_KINDS.join(', ')}`)
      this.exitCode = 1
      return
    }
    const scaffold = SCAFFOLDS[this.kind]
    if (!scaffold) {
      this.logger.error(
        `The ${this.kind} contract is not part of this version yet; kinds that can be scaffolded: ${Object.keys(SCAFFOLDS).join(', ')}`
      )
      this.exitCode = 1
      return
    }
    if (!/^[a-z][a-z0-9-]{1,40}$/.test(this.id)) {
      this.logger.error('The id must be 2–41 lowercase letters, digits or dashes, starting with a letter')
      this.exitCode = 1
      return
    }
    const base = this.dir ? (isAbsolute(this.dir) ? this.dir : this.app.makePath(this.dir)) : this.app.makePath('plugins')
    const folder = join(base, this.id)
    if (existsSync(folder)) {
      this.logger.error(`${relative(this.app.makePath(), folder)} already exists`)
      this.exitCode = 1
      return
    }
    const name = this.id.replace(/(^|-)([a-z])/g, (_, dash, letter) => (dash ? ' ' : '') + letter.toUpperCase())
    const files = scaffold(this.id, name)
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'index.ts'), files.index)
    writeFileSync(join(folder, `${this.id.replace(/-/g, '_')}.spec.ts`), files.spec)
    this.logger.success(`Created ${relative(this.app.makePath(), folder)}/ (index.ts and its contract test)`)
    this.logger.info(`Run its test: node ace test plugins --files ${relative(this.app.makePath(), folder)}/`)
  }
}
