// A JSON-file store in DATA_DIR/store: one file per collection, kept in memory and rewritten
// atomically (write a temporary file, fsync, rename) after every change, so a crash or a full disk
// never leaves a half-written file behind. Made for one process, which is how generated apps run.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { dataDir } from './config.js'

const NAME = /^[a-z][a-z0-9_-]{0,63}$/
/** A safety net against filling the disk through a public form. */
export const MAX_DOCUMENTS = 100_000

export class StoreError extends Error {}

function clone(document) {
  return structuredClone(document)
}

export function newId() {
  return randomBytes(8).toString('hex')
}

export class Collection {
  #file
  #documents = []
  #writes = Promise.resolve()
  #counter = 0

  constructor(name, file) {
    this.name = name
    this.#file = file
  }

  async load() {
    let text
    try {
      text = await readFile(this.#file, 'utf8')
    } catch (error) {
      if (error.code === 'ENOENT') return this
      throw error
    }
    try {
      const parsed = JSON.parse(text)
      if (!Array.isArray(parsed.documents)) throw new Error('no "documents" array')
      this.#documents = parsed.documents
    } catch (error) {
      // Refuse to work on (and later overwrite) a file we cannot read: that would lose its data.
      throw new StoreError(`${this.#file} cannot be read (${error.message}); fix or move it away`)
    }
    return this
  }

  // Reads are synchronous on the in-memory copy, so "check, then insert" without an await in
  // between cannot race with another request.
  all() {
    return this.#documents.map(clone)
  }

  count() {
    return this.#documents.length
  }

  get(id) {
    const found = this.#documents.find((document) => document.id === id)
    return found ? clone(found) : undefined
  }

  find(predicate) {
    const found = this.#documents.find((document) => predicate(document))
    return found ? clone(found) : undefined
  }

  filter(predicate) {
    return this.#documents.filter((document) => predicate(document)).map(clone)
  }

  async insert(data) {
    if (this.#documents.length >= MAX_DOCUMENTS) throw new StoreError(`collection "${this.name}" is full`)
    const now = new Date().toISOString()
    const document = { ...clone(data), id: data.id ?? newId(), created_at: now, updated_at: now }
    if (this.#documents.some((d) => d.id === document.id)) throw new StoreError(`id "${document.id}" exists`)
    this.#documents.push(document)
    await this.#persist()
    return clone(document)
  }

  async update(id, changes) {
    const index = this.#documents.findIndex((document) => document.id === id)
    if (index === -1) return undefined
    const { id: _ignored, created_at: _created, ...rest } = clone(changes)
    this.#documents[index] = { ...this.#documents[index], ...rest, updated_at: new Date().toISOString() }
    await this.#persist()
    return clone(this.#documents[index])
  }

  async remove(id) {
    const index = this.#documents.findIndex((document) => document.id === id)
    if (index === -1) return false
    this.#documents.splice(index, 1)
    await this.#persist()
    return true
  }

  async removeWhere(predicate) {
    const before = this.#documents.length
    this.#documents = this.#documents.filter((document) => !predicate(document))
    if (this.#documents.length !== before) await this.#persist()
    return before - this.#documents.length
  }

  /** Writes one after another; each writes the state at the time it runs. */
  #persist() {
    const run = this.#writes.then(() => this.#write())
    this.#writes = run.catch(() => {})
    return run
  }

  async #write() {
    const temporary = `${this.#file}.${process.pid}.${++this.#counter}.tmp`
    const body = JSON.stringify({ collection: this.name, documents: this.#documents }, null, 1)
    const handle = await open(temporary, 'w', 0o600)
    try {
      await handle.writeFile(body)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await rename(temporary, this.#file)
    } catch (error) {
      await unlink(temporary).catch(() => {})
      throw error
    }
  }
}

export class Store {
  #collections = new Map()

  constructor(directory) {
    this.directory = directory
  }

  /** The collection (loaded on first use). Names: lowercase letters, digits, "-" and "_". */
  collection(name) {
    if (!NAME.test(name)) throw new StoreError(`invalid collection name "${name}"`)
    if (!this.#collections.has(name)) {
      const loading = mkdir(this.directory, { recursive: true }).then(() => new Collection(name, join(this.directory, `${name}.json`)).load())
      // A failed load is not cached: the next request tries again.
      loading.catch(() => this.#collections.delete(name))
      this.#collections.set(name, loading)
    }
    return this.#collections.get(name)
  }

  /** The names of the collections that have a file, sorted. */
  async names() {
    try {
      return (await readdir(this.directory))
        .filter((file) => file.endsWith('.json'))
        .map((file) => file.slice(0, -'.json'.length))
        .filter((name) => NAME.test(name))
        .sort()
    } catch (error) {
      if (error.code === 'ENOENT') return []
      throw error
    }
  }
}

export function openStore(directory) {
  return new Store(directory)
}

/** The app's store, in DATA_DIR/store. */
export const store = new Store(join(dataDir, 'store'))
