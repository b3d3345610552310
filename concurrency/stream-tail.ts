// The last characters a worker or child process wrote to a stream (its stderr), kept to
// explain a crash without holding everything it ever printed.
import type { Readable } from 'node:stream'

export function streamTail(stream: Readable, maxChars: number): () => string {
  let kept = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    kept = (kept + chunk).slice(-maxChars)
  })
  return () => kept.trim()
}
