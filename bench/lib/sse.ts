/**
 * An incremental text/event-stream reader: events are yielded as their
 * bytes arrive (the test helper reads the whole body first, which would
 * hide the time to first token this bench measures).
 */
export interface SseEvent {
  event: string
  /** The raw data lines, joined with "\n" (JSON for the platform's events). */
  data: string
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      if (buffer.includes('\r')) buffer = buffer.replace(/\r\n?/g, '\n')

      let start = 0
      let end: number
      while ((end = buffer.indexOf('\n\n', start)) !== -1) {
        const event = parseBlock(buffer.slice(start, end))
        start = end + 2
        if (event) yield event
      }
      buffer = buffer.slice(start)
    }
  } finally {
    // Ends the HTTP body too when the consumer stops early (failure, timeout).
    await reader.cancel().catch(() => {})
  }
}

/** One event block; null for comment-only blocks (`: stream open`). */
function parseBlock(block: string): SseEvent | null {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
  }
  return data.length ? { event, data: data.join('\n') } : null
}
