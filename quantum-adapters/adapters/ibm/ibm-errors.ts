// The QpuErrors the IBM adapter raises, each with a message that says what failed, where, and
// what to change.

import { QpuError } from '../../errors.ts'

export function unsupportedCircuit(reason: string): QpuError {
  return new QpuError(
    { code: 'QPU_UNSUPPORTED_CIRCUIT', backend: 'ibm' },
    `IBM Quantum cannot run this circuit: ${reason}`,
  )
}

export function unreachable(url: string, cause: string): QpuError {
  return new QpuError(
    { code: 'QPU_PROVIDER_UNREACHABLE', backend: 'ibm', url },
    `cannot reach IBM Quantum at ${url} (${cause}); check the network and the adapter's base URL`,
  )
}

export function malformed(where: string, detail: string): QpuError {
  return new QpuError(
    { code: 'QPU_PROVIDER_MALFORMED', backend: 'ibm' },
    `IBM Quantum answered ${where} with something outside its published format: ${detail}`,
  )
}

/** `service` is who refused: IBM Cloud IAM for the key exchange, IBM Quantum for the rest. */
export function refused(
  service: string,
  where: string,
  status: number,
  providerMessage: string,
  hint: string,
): QpuError {
  const detail = providerMessage === '' ? '' : `: ${providerMessage}`
  return new QpuError(
    { code: 'QPU_PROVIDER_REFUSED', backend: 'ibm', status },
    `${service} refused ${where} (HTTP ${status}${detail})${hint === '' ? '' : `; ${hint}`}`,
  )
}

export function unknownJob(jobId: string): QpuError {
  return new QpuError(
    { code: 'QPU_UNKNOWN_JOB', backend: 'ibm', jobId },
    `IBM Quantum has no job '${jobId}' in this instance; check the job id and QISKIT_IBM_INSTANCE`,
  )
}
