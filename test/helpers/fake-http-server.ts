// The HTTP plumbing the fake provider APIs share: a server on a free 127.0.0.1 port that reads
// each request body whole and sends back whatever reply the fake computes for it, JSON replies,
// and JSON parsing that yields undefined for a body that is not JSON. What a request must look
// like stays with each fake.

import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface HttpReply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** The body; an empty one is sent with no Content-Length. */
  readonly text: string
}

export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  close(): Promise<void>
}

/** Starts a server that answers every request with `answer(request, body)`. */
export async function serveLocally(
  answer: (request: IncomingMessage, body: string) => HttpReply,
): Promise<LocalHttpServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const { status, headers = {}, text } = answer(req, Buffer.concat(chunks).toString('utf8'))
      res.writeHead(
        status,
        text === '' ? headers : { ...headers, 'content-length': String(Buffer.byteLength(text)) },
      )
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err === undefined ? resolve() : reject(err)))
      }),
  }
}

/** `body` as JSON, with any extra headers. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, text: JSON.stringify(body) }
}

/** The parsed JSON, or undefined when `text` is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
