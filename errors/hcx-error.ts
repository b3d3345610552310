// The one error base of hcx: a stable string code (also a metric label) plus a human message
// that says what went wrong, where, and how to fix it.

export interface ErrorType {
  code: string
}

export class HcxError<T extends ErrorType = ErrorType> extends Error {
  readonly type: T

  constructor(type: T, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.type = type
    this.name = 'HcxError'
  }

  get code(): T['code'] {
    return this.type.code
  }
}

export function isHcxError(err: unknown): err is HcxError {
  return err instanceof HcxError
}

/** The message of any thrown value, for logs and wrapped errors. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
