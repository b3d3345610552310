// Checks an AWS Signature Version 4 `Authorization` header the way AWS does: the credential scope
// (key id, date, region, service), the `x-amz-date` header, and the signature itself, recomputed
// from the canonical request with the secret key (docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_sigv-create-signed-request.html). S3 signs the path as sent; other services encode
// each path segment once more.

import { createHash, createHmac } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

export interface SigV4Expectation {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

export interface SignedRequest {
  readonly method: string
  /** The request target as received: path and query, still percent-encoded. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/

/** The service the request was signed for, or a sentence saying what is wrong with the signature. */
export function checkSigV4(
  request: SignedRequest,
  expected: SigV4Expectation,
): { service: string } | { problem: string } {
  const header = request.headers.authorization ?? ''
  const match = AUTHORIZATION.exec(header)
  if (match === null) return { problem: `Authorization is not AWS4-HMAC-SHA256: '${header}'` }
  const [, keyId, date, region, service, signedHeaderList, signature] = match as unknown as string[]
  const amzDate = String(request.headers['x-amz-date'] ?? '')
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return { problem: `x-amz-date '${amzDate}' is not YYYYMMDDTHHMMSSZ` }
  if (!amzDate.startsWith(date as string)) return { problem: 'the credential date is not the x-amz-date day' }
  if (keyId !== expected.accessKeyId) return { problem: `signed with key ${keyId}` }
  if (region !== expected.region) return { problem: `signed for region ${region}, not ${expected.region}` }
  const signedHeaders = (signedHeaderList as string).split(';')
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { problem: 'host and x-amz-date must be signed' }
  }
  const bodyHash = sha256(request.body)
  const declaredHash = request.headers['x-amz-content-sha256']
  if (typeof declaredHash === 'string' && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== bodyHash) {
    return { problem: 'x-amz-content-sha256 is not the hash of the body' }
  }
  const [rawPath = '/', rawQuery = ''] = request.url.split('?')
  const canonical = [
    request.method,
    service === 's3' ? rawPath : encodeURIComponent(rawPath).replace(/%2F/g, '/'),
    canonicalQuery(rawQuery),
    ...signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    signedHeaders.join(';'),
    typeof declaredHash === 'string' ? declaredHash : bodyHash,
  ].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  let key: Buffer = hmac(`AWS4${expected.secretAccessKey}`, date as string)
  for (const part of [region as string, service as string, 'aws4_request']) key = hmac(key, part)
  const expectedSignature = hmac(key, stringToSign).toString('hex')
  if (expectedSignature !== signature)
    return { problem: `signature mismatch for canonical request:\n${canonical}` }
  return { service: service as string }
}

function canonicalQuery(query: string): string {
  if (query === '') return ''
  return [...new URLSearchParams(query)]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function headerValue(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '')
  return text.trim().replace(/\s+/g, ' ')
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}
