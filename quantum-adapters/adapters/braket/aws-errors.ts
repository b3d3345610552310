// AWS SDK failures as QpuErrors: a service exception is Braket or S3 refusing (a missing task is an
// unknown job), a body the SDK could not deserialize is a malformed answer, anything else means
// the request never got an answer.

import { BraketServiceException } from '@aws-sdk/client-braket'
import { S3ServiceException } from '@aws-sdk/client-s3'
import { QpuError } from '../../errors.ts'
import { malformed, refused, unknownJob, unreachable } from '../provider-errors.ts'

export const PROVIDER = 'Amazon Braket'

export interface AwsCallContext {
  /** What the call is for, in words, for error messages. */
  readonly what: string
  /** The service endpoint, for unreachable errors. */
  readonly url: string
  /** Set when the call names a quantum task, so a missing one is an unknown job. */
  readonly jobId?: string
  readonly signal?: AbortSignal
}

// Codes that mean the caller's AWS identity was not accepted.
const AUTH_CODES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
])

export async function awsCall<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw toQpuError(err, context)
  }
}

export function toQpuError(err: unknown, context: AwsCallContext): unknown {
  if (context.signal?.aborted) return context.signal.reason
  if (err instanceof QpuError) return err
  if (err instanceof BraketServiceException || err instanceof S3ServiceException) {
    if (context.jobId !== undefined && err.name === 'ResourceNotFoundException') {
      return unknownJob('braket', PROVIDER, context.jobId, err.message)
    }
    const hint = AUTH_CODES.has(err.name)
      ? '; check the AWS credentials, their Braket and S3 permissions, and AWS_REGION'
      : ''
    return refused(
      'braket',
      PROVIDER,
      err.$metadata.httpStatusCode ?? 0,
      context.what,
      `${err.name}: ${err.message}${hint}`,
    )
  }
  if (err instanceof Error && (err as Error & { $response?: unknown }).$response !== undefined) {
    return malformed('braket', PROVIDER, context.what, err.message)
  }
  const cause = err instanceof Error ? ((err as Error & { code?: string }).code ?? err.message) : String(err)
  return unreachable('braket', PROVIDER, context.url, cause)
}
