import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The HTTP side every fake shares: listens on 127.0.0.1 on a free port,
 * closes even with keep-alive sockets and streams still open.
 */
export class LoopbackServer {
  #server: Server | undefined
  #port: number | undefined

  constructor(
    private readonly name: string,
    private readonly listener: RequestListener
  ) {}

  async start(): Promise<void> {
    if (this.#server) return
    const server = createServer(this.listener)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    // Keep-alive sockets (undici pools them) and streams still being played
    // would otherwise keep close() waiting.
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  get origin(): string {
    if (this.#port === undefined) throw new Error(`${this.name} is not started`)
    return `http://127.0.0.1:${this.#port}`
  }
}
