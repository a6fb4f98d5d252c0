import { test } from '@japa/runner'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import MakePlugin from '../../commands/make_plugin.js'
import { validateDefinition } from '#plugins/validate_definition'
import { aiProviderContract } from '#tests/contracts/ai_provider'
import type { AiProvider } from '#ai/contract'

test.group('make:plugin', () => {
  test('scaffolds an AI provider that validates and passes the contract suite untouched', async ({ assert }) => {
    const dir = join('tmp', `scaffold-${process.pid}-${Date.now()}`)
    try {
      const command = await ace.create(MakePlugin, ['ai-provider', 'acme-ai', `--dir=${dir}`])
      await command.exec()
      command.assertSucceeded()

      const folder = app.makePath(dir, 'acme-ai')
      assert.isTrue(existsSync(join(folder, 'index.ts')))
      assert.include(readFileSync(join(folder, 'acme_ai.spec.ts'), 'utf8'), 'registerAiProviderContract')

      const module = await import(pathToFileURL(join(folder, 'index.js')).href)
      const definition = await validateDefinition(module.default, 'acme-ai')
      assert.equal(definition.kind, 'ai-provider')

      const checks = aiProviderContract(
        () => definition.create({ settings: {}, logger: console as any }) as AiProvider,
        { model: 'default' }
      )
      assert.isAtLeast(checks.length, 5)
      for (const check of checks) await check.run()

      const again = await ace.create(MakePlugin, ['ai-provider', 'acme-ai', `--dir=${dir}`])
      await again.exec()
      again.assertFailed()
    } finally {
      rmSync(app.makePath(dir), { recursive: true, force: true })
    }
  })

  test('refuses unknown kinds, kinds without a contract yet, and bad ids', async () => {
    for (const argv of [['teleporter', 'x-y'], ['billing', 'acme-pay'], ['ai-provider', 'Bad_Id']]) {
      const command = await ace.create(MakePlugin, argv)
      await command.exec()
      command.assertFailed()
    }
  })
})
