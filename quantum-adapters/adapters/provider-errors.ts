// QpuErrors for adapters that talk to a provider's HTTP API, each message saying what failed,
// where, and what to change. `provider` is the name a person knows the service by.

import { QpuError } from '../errors.ts'
import type { BackendId } from './adapter.ts'

export function credentialsMissing(backend: BackendId, variables: readonly string[], what: string): QpuError {
  return new QpuError(
    { code: 'QPU_CREDENTIALS_MISSING', backend, variables },
    `the ${backend} backend has no ${what}: set ${variables.join(', ')}`,
  )
}

export function unsupportedCircuit(backend: BackendId, provider: string, reason: string): QpuError {
  return new QpuError(
    { code: 'QPU_UNSUPPORTED_CIRCUIT', backend },
    `${provider} cannot run this circuit: ${reason}; rewrite the circuit or choose another backend`,
  )
}

export function unreachable(backend: BackendId, provider: string, url: string, cause: string): QpuError {
  return new QpuError(
    { code: 'QPU_PROVIDER_UNREACHABLE', backend, url },
    `cannot reach ${provider} at ${url} (${cause}); check the network and the endpoint setting`,
  )
}

export function refused(
  backend: BackendId,
  provider: string,
  status: number,
  what: string,
  detail: string,
): QpuError {
  return new QpuError(
    { code: 'QPU_PROVIDER_REFUSED', backend, status },
    `${provider} refused ${what} with HTTP ${status}: ${detail}`,
  )
}

export function malformed(backend: BackendId, provider: string, what: string, detail: string): QpuError {
  return new QpuError(
    { code: 'QPU_PROVIDER_MALFORMED', backend },
    `${provider} answered ${what} with something outside its published format: ${detail}`,
  )
}

export function unknownJob(backend: BackendId, provider: string, jobId: string, detail: string): QpuError {
  return new QpuError(
    { code: 'QPU_UNKNOWN_JOB', backend, jobId },
    `${provider} has no job ${jobId} (${detail}); check the id and the account it was submitted with`,
  )
}

export function jobNotDone(backend: BackendId, provider: string, jobId: string, status: string): QpuError {
  return new QpuError(
    { code: 'QPU_JOB_NOT_DONE', backend, jobId, status },
    `${provider} job ${jobId} is ${status}, not completed; poll its status and ask again once it completes`,
  )
}

export function jobFailed(backend: BackendId, provider: string, jobId: string, reason: string): QpuError {
  return new QpuError(
    { code: 'QPU_JOB_FAILED', backend, jobId },
    `${provider} job ${jobId} failed: ${reason}`,
  )
}

export function jobCancelled(backend: BackendId, provider: string, jobId: string): QpuError {
  return new QpuError(
    { code: 'QPU_JOB_CANCELLED', backend, jobId },
    `${provider} job ${jobId} was cancelled and has no result; submit the circuit again`,
  )
}

export function badShots(
  backend: BackendId,
  provider: string,
  shots: number,
  min: number,
  max: number,
): QpuError {
  return new QpuError(
    { code: 'QPU_BAD_SHOTS', shots, maxShots: max },
    `${provider} (${backend}) takes between ${min} and ${max} shots per job, not ${shots}`,
  )
}
