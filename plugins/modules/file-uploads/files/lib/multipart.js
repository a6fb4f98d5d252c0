// Reads the files of a multipart/form-data body (already read, size-limited, into a Buffer).
import { HttpError } from './http.js'

function boundaryOf(contentType) {
  const match = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(String(contentType))
  if (!match) throw new HttpError(400, 'The multipart body has no boundary.')
  return match[1] ?? match[2]
}

function headerParam(header, name) {
  const match = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ?? new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header)
  return match ? match[1].replace(/\\(.)/g, '$1') : undefined
}

/** The parts of the body: { name, filename?, type, data }. */
export function parseMultipart(body, contentType) {
  const boundary = boundaryOf(contentType)
  const delimiter = Buffer.from(`--${boundary}`)
  const separator = Buffer.from(`\r\n--${boundary}`)
  const parts = []
  let position = body.indexOf(delimiter)
  if (position === -1) throw new HttpError(400, 'The multipart body is malformed.')
  position += delimiter.length
  while (body.subarray(position, position + 2).toString() !== '--') {
    const start = position + 2 // the CRLF after the boundary
    const end = body.indexOf(separator, start)
    if (end === -1) throw new HttpError(400, 'The multipart body is malformed.')
    const part = body.subarray(start, end)
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd === -1) throw new HttpError(400, 'The multipart body is malformed.')
    const headers = part.subarray(0, headerEnd).toString('utf8')
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? ''
    parts.push({
      name: headerParam(disposition, 'name'),
      filename: headerParam(disposition, 'filename'),
      type: /^content-type:\s*(.*)$/im.exec(headers)?.[1].trim() ?? 'application/octet-stream',
      data: part.subarray(headerEnd + 4),
    })
    position = end + separator.length
  }
  return parts
}
