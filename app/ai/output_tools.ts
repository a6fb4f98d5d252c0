import type { ToolDefinition } from '#ai/contract'
import type { OutputOp } from '#ai/output_protocol'

/**
 * The output protocol as native tools, for models with function calling.
 * The same operations as the tagged text; calls are validated as strictly.
 */
const path = { type: 'string', description: 'Path relative to the project root, e.g. public/index.html' }

export const OUTPUT_TOOLS: ToolDefinition[] = [
  {
    name: 'xb_add_module',
    description: 'Add a ready, tested code module to the app (see the module list), with optional parameters.',
    inputSchema: { type: 'object', properties: { id: { type: 'string' }, params: { type: 'object' } }, required: ['id'] },
  },
  {
    name: 'xb_remove_module',
    description: 'Take a module out of the app: its pages, routes and navigation links go; the other modules stay.',
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
  {
    name: 'xb_update_module',
    description: 'Change some parameters of a module the app already has (e.g. a headline, a colour, the fields of an entity); the parameters not given keep their values.',
    inputSchema: { type: 'object', properties: { id: { type: 'string' }, params: { type: 'object' } }, required: ['id', 'params'] },
  },
  {
    name: 'xb_write_file',
    description: 'Create or replace a whole file.',
    inputSchema: { type: 'object', properties: { path, content: { type: 'string' } }, required: ['path', 'content'] },
  },
  {
    name: 'xb_edit_file',
    description: 'Replace one exact, unique piece of text in a file.',
    inputSchema: { type: 'object', properties: { path, search: { type: 'string' }, replace: { type: 'string' } }, required: ['path', 'search', 'replace'] },
  },
  {
    name: 'xb_delete_file',
    description: 'Delete a file.',
    inputSchema: { type: 'object', properties: { path }, required: ['path'] },
  },
  {
    name: 'xb_rename_file',
    description: 'Rename or move a file.',
    inputSchema: { type: 'object', properties: { from: path, to: path }, required: ['from', 'to'] },
  },
  {
    name: 'xb_add_dependency',
    description: 'Add an npm dependency to package.json.',
    inputSchema: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' } }, required: ['name', 'version'] },
  },
]

const str = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * A tool call as an operation, or the reason it cannot be one.
 */
export function toolCallToOp(name: string, input: unknown): OutputOp | string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return `The ${name} call had no valid arguments`
  const args = input as Record<string, unknown>
  switch (name) {
    case 'xb_add_module': {
      const id = str(args.id)
      const params = args.params ?? {}
      if (!id) return 'An xb_add_module call without an id was ignored'
      if (typeof params !== 'object' || Array.isArray(params) || params === null) return `The parameters of module "${id}" are not an object`
      return { op: 'module', id, params: params as Record<string, unknown> }
    }
    case 'xb_remove_module': {
      const id = str(args.id)
      return id ? { op: 'remove-module', id } : 'An xb_remove_module call needs an id'
    }
    case 'xb_update_module': {
      const id = str(args.id)
      const params = args.params
      if (!id) return 'An xb_update_module call needs an id'
      if (!params || typeof params !== 'object' || Array.isArray(params)) return `The parameters of module "${id}" are not an object`
      if (Object.keys(params).length === 0) return `The update of module "${id}" names no parameter to change`
      return { op: 'update-module', id, params: params as Record<string, unknown> }
    }
    case 'xb_write_file': {
      const path = str(args.path)
      const content = str(args.content)
      return path && content !== undefined ? { op: 'write', path, content } : 'An xb_write_file call needs a path and a content'
    }
    case 'xb_edit_file': {
      const path = str(args.path)
      const search = str(args.search)
      const replace = str(args.replace)
      if (!path || !search || replace === undefined) return 'An xb_edit_file call needs a path, a non-empty search and a replace'
      return { op: 'edit', path, search, replace }
    }
    case 'xb_delete_file': {
      const path = str(args.path)
      return path ? { op: 'delete', path } : 'An xb_delete_file call needs a path'
    }
    case 'xb_rename_file': {
      const from = str(args.from)
      const to = str(args.to)
      return from && to ? { op: 'rename', from, to } : 'An xb_rename_file call needs from and to'
    }
    case 'xb_add_dependency': {
      const dep = str(args.name)
      const version = str(args.version) ?? 'latest'
      if (!dep || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(dep)) return `The dependency "${dep ?? ''}" is not a valid npm package name`
      if (!/^[\w.^~<>=*|\s-]{1,64}$/.test(version)) return `The version "${version}" of ${dep} is not a version range`
      return { op: 'dependency', name: dep, version }
    }
    default:
      return `Unknown tool "${name}" was ignored`
  }
}
