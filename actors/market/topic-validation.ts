// Maps a market validation outcome to gossipsub's ACCEPT / IGNORE / REJECT and counts it by
// topic and code. An exception in our own code is IGNORE, never REJECT: our bugs must not
// lower an honest peer's score.

import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { Logger } from 'pino'
import { describeError } from '../../errors/hcx-error.ts'
import type { ValidationCode, ValidationResult } from '../../protocols/market/validation-codes.ts'

const RESULTS: Record<ValidationResult, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

export class TopicValidatorResultAdapter {
  private readonly tally = new Map<string, number>()
  private readonly logger: Logger

  constructor(init: { logger: Logger }) {
    this.logger = init.logger
  }

  run(
    topic: string,
    validate: () => { result: ValidationResult; code?: ValidationCode },
  ): TopicValidatorResult {
    let outcome: { result: ValidationResult; code?: ValidationCode }
    try {
      outcome = validate()
    } catch (err) {
      this.logger.warn({ topic, err: describeError(err) }, 'market validator failed; message ignored')
      outcome = { result: 'ignore', code: 'VALIDATOR_INTERNAL' }
    }
    const label = `${topic}:${outcome.result}${outcome.code === undefined ? '' : `:${outcome.code}`}`
    this.tally.set(label, (this.tally.get(label) ?? 0) + 1)
    return RESULTS[outcome.result]
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.tally)
  }
}
