import type { ModuleManifest } from '#modules/types'

/**
 * The instructions every model gets: who it is, the output protocol, the
 * code modules it can use, and the project's current files (with the
 * locked ones it must not touch).
 */
export function buildSystemPrompt(input: {
  base: string
  modules: ModuleManifest[]
  files: { path: string; size: number }[]
  locked: string[]
}): string {
  const moduleLines = input.modules.map((module) => {
    const params = module.parameters
      .map((p) => `${p.name} (${p.type}${p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : ''})`)
      .join(', ')
    return `- ${module.id}: ${module.title}. ${module.description}${params ? ` Parameters: ${params}.` : ''}${module.requires.length ? ` Requires: ${module.requires.join(', ')}.` : ''}`
  })
  const fileLines = input.files.length
    ? input.files.slice(0, 300).map((f) => `- ${f.path} (${f.size} bytes)${input.locked.includes(f.path) ? ' LOCKED' : ''}`)
    : ['(none yet)']
  return [
    input.base,
    '',
    'To change the project, call the xb_* tools when you have them; otherwise write these instructions in your answer (outside code blocks). The platform applies all of a turn\'s changes together as one new version when your answer ends, or none of them if one is invalid:',
    '<xb-module id="MODULE_ID">{"param": "value"}</xb-module>   add a ready, tested module (JSON parameters, optional)',
    '<xb-update-module id="MODULE_ID">{"param": "new value"}</xb-update-module>   change some parameters of a module the app already has (the others keep their values)',
    '<xb-remove-module id="MODULE_ID" />   take a module out of the app (its pages, routes and navigation links go)',
    '<xb-write path="relative/path">whole new file content</xb-write>',
    '<xb-edit path="relative/path"><search>exact existing text</search><replace>new text</replace></xb-edit>',
    '<xb-delete path="relative/path" />',
    '<xb-rename from="old/path" to="new/path" />',
    '<xb-dependency name="npm-package" version="^1.0.0" />',
    'Prefer modules over writing code; prefer <xb-edit> over rewriting whole files. Paths are relative to the project root. Never touch LOCKED files. Apps listen on PORT, start with npm start and answer GET /health.',
    '',
    'Modules:',
    ...moduleLines,
    '',
    'Current files:',
    ...fileLines,
  ].join('\n')
}
