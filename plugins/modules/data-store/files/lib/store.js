// A JSON-file store in DATA_DIR/store: one file per collection, kept in memory and rewritten
// atomically (write a temporary file, fsync, rename) after every change, so a crash or a full disk
// never leaves a half-written file behind.
//
// Several processes may share one folder: during a zero-downtime redeploy the old and the new app
// run at once on the same data. So every write is a read-modify-write under a lock file that all
// of them respect: take `<collection>.json.lock` (created exclusively), read the file again if
// another process replaced it, apply this process's pending changes to that, write, rename,
// release. A change is acknowledged (its promise resolves) only once the file holding it is in
// place. Reads stay synchronous on the in-memory copy, which is refreshed first whenever the file
// on disk is not the one it was read from (another process wrote).
import { randomBytes } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { mkdir, open, readFile, readdir, rename, stat, unlink, utimes } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { dataDir } from './config.js'

const NAME = /^[a-z][a-z0-9_-]{0,63}$/
/** A safety net against filling the disk through a public form. */
export const MAX_DOCUMENTS = 100_000
/**
 * A lock older than this is taken to be left by a process that died while writing (its holder
 * touches it every LOCK_HEARTBEAT_MS while it holds it). A holder on this machine whose process
 * is gone is recognised at once.
 */
export const LOCK_STALE_MS = 10_000
const LOCK_HEARTBEAT_MS = 2_000
/** How long a write waits for the lock before it fails (the change is then not applied). */
const LOCK_WAIT_MS = 30_000

export class StoreError extends Error {}

const HOST = hostname()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function clone(document) {
  return structuredClone(document)
}

export function newId() {
  return randomBytes(8).toString('hex')
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Creates `path` exclusively with `body`; false when it exists. */
async function createExclusive(path, body) {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    if (error.code === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(body)
  } finally {
    await handle.close()
  }
  return true
}

/** Is the lock at `path` left by a dead holder? (unreadable or vanished: no.) */
async function isStale(path) {
  let info
  let text
  try {
    info = await stat(path)
    text = await readFile(path, 'utf8')
  } catch {
    return false
  }
  let holder = null
  try {
    holder = JSON.parse(text)
  } catch {}
  if (holder && holder.host === HOST && Number.isInteger(holder.pid) && holder.pid !== process.pid && !alive(holder.pid)) return true
  return Date.now() - info.mtimeMs > LOCK_STALE_MS
}

/**
 * Removes the lock at `path` when its holder is dead. One breaker at a time (its own small lock),
 * which checks again before removing, so two processes never both break it and one of them
 * remove the fresh lock the other just took.
 */
async function breakIfStale(path) {
  if (!(await isStale(path))) return
  const breaker = `${path}.break`
  if (!(await createExclusive(breaker, JSON.stringify({ host: HOST, pid: process.pid })))) {
    // A breaker that died in its few milliseconds of work.
    try {
      if (Date.now() - (await stat(breaker)).mtimeMs > LOCK_STALE_MS) await unlink(breaker)
    } catch {}
    return
  }
  try {
    if (await isStale(path)) await unlink(path).catch(() => {})
  } finally {
    await unlink(breaker).catch(() => {})
  }
}

/** Takes the lock at `path`; returns a function that releases it. */
async function lock(path) {
  const token = newId()
  const body = JSON.stringify({ host: HOST, pid: process.pid, token })
  const deadline = Date.now() + LOCK_WAIT_MS
  let delay = 1
  while (!(await createExclusive(path, body))) {
    if (Date.now() > deadline) throw new StoreError(`${path} stayed locked for ${LOCK_WAIT_MS / 1000} s`)
    await breakIfStale(path)
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, 25)
  }
  const heartbeat = setInterval(() => {
    const now = new Date()
    utimes(path, now, now).catch(() => {})
  }, LOCK_HEARTBEAT_MS)
  heartbeat.unref()
  return async () => {
    clearInterval(heartbeat)
    // Only our own lock (if it was broken as stale meanwhile, another process holds the new one).
    try {
      if (JSON.parse(await readFile(path, 'utf8')).token === token) await unlink(path)
    } catch {}
  }
}

/** What identifies one version of a file: a rename always gives a new inode. */
function stampOf(info) {
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : null
}

function parseDocuments(file, text) {
  try {
    const parsed = JSON.parse(text)
    if (!Array.isArray(parsed.documents)) throw new Error('no "documents" array')
    return parsed.documents
  } catch (error) {
    // Refuse to work on (and later overwrite) a file we cannot read: that would lose its data.
    throw new StoreError(`${file} cannot be read (${error.message}); fix or move it away`)
  }
}

/**
 * Changes are operations on the list of documents, so they can be applied again to a newer copy
 * of the file (written by another process) when they are saved. Each returns its result.
 */
const operations = {
  insert(documents, document) {
    if (documents.some((d) => d.id === document.id)) throw new StoreError(`id "${document.id}" exists`)
    documents.push(document)
    return document
  },
  update(documents, { id, changes, at }) {
    const index = documents.findIndex((document) => document.id === id)
    if (index === -1) return undefined
    documents[index] = { ...documents[index], ...changes, updated_at: at }
    return documents[index]
  },
  remove(documents, { id }) {
    const index = documents.findIndex((document) => document.id === id)
    if (index === -1) return false
    documents.splice(index, 1)
    return true
  },
  removeWhere(documents, { predicate }) {
    let removed = 0
    for (let i = documents.length - 1; i >= 0; i--) {
      if (predicate(documents[i])) {
        documents.splice(i, 1)
        removed++
      }
    }
    return removed
  },
}

export class Collection {
  #file
  /** The documents as in the file version `#stamp` (never mutated in place). */
  #base = []
  #stamp = null
  /** Changes made here and not yet in the file, in order. */
  #pending = []
  /** What reads see: `#base` with `#pending` applied. */
  #documents = []
  #flushing = null

  constructor(name, file) {
    this.name = name
    this.#file = file
  }

  async load() {
    let info
    try {
      info = await stat(this.#file)
    } catch (error) {
      if (error.code === 'ENOENT') return this
      throw error
    }
    this.#base = parseDocuments(this.#file, await readFile(this.#file, 'utf8'))
    this.#stamp = stampOf(info)
    this.#recompute()
    return this
  }

  #recompute() {
    const documents = this.#base.slice()
    for (const op of this.#pending) {
      try {
        operations[op.kind](documents, op.args)
      } catch {}
    }
    this.#documents = documents
  }

  /** Another process replaced the file: read it again (synchronously, for the synchronous reads). */
  #refresh() {
    let info = null
    try {
      info = statSync(this.#file)
    } catch (error) {
      if (error.code !== 'ENOENT') throw error
    }
    const stamp = stampOf(info)
    if (stamp === this.#stamp) return
    this.#base = info ? parseDocuments(this.#file, readFileSync(this.#file, 'utf8')) : []
    this.#stamp = stamp
    this.#recompute()
  }

  #view() {
    this.#refresh()
    return this.#documents
  }

  // Reads are synchronous on the in-memory copy, so "check, then insert" without an await in
  // between cannot race with another request of this process.
  all() {
    return this.#view().map(clone)
  }

  count() {
    return this.#view().length
  }

  get(id) {
    const found = this.#view().find((document) => document.id === id)
    return found ? clone(found) : undefined
  }

  find(predicate) {
    const found = this.#view().find((document) => predicate(document))
    return found ? clone(found) : undefined
  }

  filter(predicate) {
    return this.#view()
      .filter((document) => predicate(document))
      .map(clone)
  }

  async insert(data) {
    const documents = this.#view()
    if (documents.length >= MAX_DOCUMENTS) throw new StoreError(`collection "${this.name}" is full`)
    const now = new Date().toISOString()
    const document = { ...clone(data), id: data.id ?? newId(), created_at: now, updated_at: now }
    return clone(await this.#change('insert', document))
  }

  async update(id, changes) {
    if (!this.#view().some((document) => document.id === id)) return undefined
    const { id: _ignored, created_at: _created, ...rest } = clone(changes)
    const updated = await this.#change('update', { id, changes: rest, at: new Date().toISOString() })
    return updated === undefined ? undefined : clone(updated)
  }

  async remove(id) {
    if (!this.#view().some((document) => document.id === id)) return false
    return this.#change('remove', { id })
  }

  async removeWhere(predicate) {
    if (!this.#view().some((document) => predicate(document))) return 0
    return this.#change('removeWhere', { predicate })
  }

  /**
   * Applies the change to what reads see at once (synchronously: it is checked against it here)
   * and resolves once it is saved, with its result against the file as it was then.
   */
  #change(kind, args) {
    operations[kind](this.#documents, args)
    return new Promise((resolve, reject) => {
      this.#pending.push({ kind, args, resolve, reject })
      this.#flushing ??= this.#flush().finally(() => (this.#flushing = null))
    })
  }

  /** Saves the pending changes, in batches, until there are none. */
  async #flush() {
    while (this.#pending.length) {
      const batch = this.#pending.slice()
      let results
      try {
        results = await this.#save(batch)
      } catch (error) {
        // Nothing of the batch was saved: it is no longer seen either.
        this.#pending.splice(0, batch.length)
        this.#recompute()
        for (const op of batch) op.reject(error)
        continue
      }
      this.#pending.splice(0, batch.length)
      this.#recompute()
      batch.forEach((op, i) => (results[i].ok ? op.resolve(results[i].value) : op.reject(results[i].error)))
    }
  }

  async #save(batch) {
    await mkdir(dirname(this.#file), { recursive: true })
    const release = await lock(`${this.#file}.lock`)
    try {
      // The file as it is now: another process may have written since we read it.
      let info = null
      try {
        info = await stat(this.#file)
      } catch (error) {
        if (error.code !== 'ENOENT') throw error
      }
      if (stampOf(info) !== this.#stamp) {
        this.#base = info ? parseDocuments(this.#file, await readFile(this.#file, 'utf8')) : []
        this.#stamp = stampOf(info)
      }
      const documents = this.#base.slice()
      const results = batch.map((op) => {
        try {
          return { ok: true, value: operations[op.kind](documents, op.args) }
        } catch (error) {
          return { ok: false, error }
        }
      })
      await this.#write(documents)
      this.#base = documents
      this.#stamp = stampOf(await stat(this.#file))
      return results
    } finally {
      await release()
    }
  }

  async #write(documents) {
    const temporary = `${this.#file}.${newId()}.tmp`
    const body = JSON.stringify({ collection: this.name, documents }, null, 1)
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
    // The rename itself survives a power cut once the folder is synced.
    const folder = await open(dirname(this.#file), 'r').catch(() => null)
    await folder?.sync().catch(() => {})
    await folder?.close()
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
