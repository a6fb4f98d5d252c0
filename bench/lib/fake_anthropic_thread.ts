/**
 * The test suite's FakeAnthropicServer, run on a worker thread of the bench
 * process.
 *
 * Why a thread: with `delayMs: 0` the fake writes a whole answer without
 * ever yielding to the event loop (each write completes on the next tick),
 * so a client on the same loop would receive nothing until the fake is done:
 * its "time to first token" would be the fake's time to write everything.
 * On its own loop, the fake streams like a remote server, and the bench's
 * clients read chunks as they arrive.
 *
 * This module is both sides: imported normally it exports the controller;
 * loaded as the worker it runs the server.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { FakeAnthropicServer, type LlmScript } from '../../tests/fakes/anthropic_server.js'

type Request = { op: 'setDefault'; script: LlmScript } | { op: 'close' }
type Command = Request & { id: number }
type Reply = { id: number; error?: string } | { ready: { url: string } } | { failed: string }

const ROLE = 'xbasis-bench-fake-anthropic'

/** Drives the fake on its thread; `url`, `apiKey`, `setDefault`, `close` as on the fake itself. */
export class FakeAnthropicThread {
  #worker: Worker | undefined
  #url: string | undefined
  #nextId = 0
  #pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()

  constructor(readonly apiKey: string) {}

  get url(): string {
    if (!this.#url) throw new Error('the fake Anthropic thread is not started')
    return this.#url
  }

  async start(): Promise<void> {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: ROLE, apiKey: this.apiKey } })
    this.#worker = worker
    this.#url = await new Promise<string>((resolve, reject) => {
      worker.once('error', reject)
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) resolve(reply.ready.url)
        else if ('failed' in reply) reject(new Error(`the fake Anthropic server did not start: ${reply.failed}`))
        else this.#settle(reply)
      })
    })
    // A crash of the thread must fail the bench, not leave calls waiting.
    worker.on('error', (error) => this.#failAll(error))
    worker.on('exit', (code) => this.#failAll(new Error(`the fake Anthropic thread exited (${code})`)))
  }

  /** The script every completion plays from now on. */
  setDefault(script: LlmScript): Promise<void> {
    return this.#call({ op: 'setDefault', script })
  }

  async close(): Promise<void> {
    const worker = this.#worker
    if (!worker) return
    this.#worker = undefined
    await this.#call({ op: 'close' }, worker).catch(() => {})
    await worker.terminate()
  }

  #call(command: Request, worker = this.#worker): Promise<void> {
    if (!worker) return Promise.reject(new Error('the fake Anthropic thread is not running'))
    const id = ++this.#nextId
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.postMessage({ ...command, id })
    })
  }

  #settle(reply: { id: number; error?: string }) {
    const pending = this.#pending.get(reply.id)
    this.#pending.delete(reply.id)
    if (reply.error) pending?.reject(new Error(reply.error))
    else pending?.resolve()
  }

  #failAll(error: Error) {
    for (const { reject } of this.#pending.values()) reject(error)
    this.#pending.clear()
  }
}

/*
| The worker side.
*/
if (!isMainThread && workerData?.role === ROLE) {
  const port = parentPort!
  const fake = new FakeAnthropicServer({ apiKey: workerData.apiKey as string })
  try {
    await fake.start()
    port.postMessage({ ready: { url: fake.url } } satisfies Reply)
  } catch (error) {
    port.postMessage({ failed: String(error) } satisfies Reply)
  }
  port.on('message', async (command: Command) => {
    try {
      if (command.op === 'setDefault') fake.setDefault(command.script)
      else if (command.op === 'close') await fake.close()
      port.postMessage({ id: command.id } satisfies Reply)
    } catch (error) {
      port.postMessage({ id: command.id, error: String(error) } satisfies Reply)
    }
  })
}
