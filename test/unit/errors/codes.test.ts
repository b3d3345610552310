import { describe, expect, it } from 'vitest'
import { MARKET_ERROR_CODES } from '../../../actors/market/errors.ts'
import { CONFIG_ERROR_CODES } from '../../../config/errors.ts'
import { GPU_ERROR_CODES } from '../../../gpu-runner/errors.ts'
import { WASM_ERROR_CODES } from '../../../gpu-runner/workloads/wasm/errors.ts'
import { CHAIN_ERROR_CODES } from '../../../ledger/chain/errors.ts'
import { INSTRUMENT_ERROR_CODES } from '../../../ledger/instruments/errors.ts'
import { ORDER_BOOK_ERROR_CODES } from '../../../ledger/orderbook/errors.ts'
import { STORE_ERROR_CODES } from '../../../ledger/store/errors.ts'
import { API_ERROR_CODES } from '../../../node/api/errors.ts'
import { CLI_ERROR_CODES } from '../../../node/cli/errors.ts'
import { HOST_ERROR_CODES } from '../../../node/host/errors.ts'
import { IDENTITY_ERROR_CODES } from '../../../node/identity/errors.ts'
import { PROTOCOL_ERROR_CODES } from '../../../protocols/errors.ts'
import { FILL_REFUSALS } from '../../../protocols/market/exchange-messages.ts'
import { VALIDATION_CODE_LIST } from '../../../protocols/market/validation-codes.ts'
import { SETTLE_REFUSALS } from '../../../protocols/settlement/sign-messages.ts'
import { QPU_ERROR_CODES } from '../../../quantum-adapters/errors.ts'
import { QASM_ERROR_CODES } from '../../../quantum-adapters/qasm/errors.ts'

describe('error codes', () => {
  it('are unique across domains and UPPER_SNAKE_CASE', () => {
    const all = [
      ...CONFIG_ERROR_CODES,
      ...ORDER_BOOK_ERROR_CODES,
      ...INSTRUMENT_ERROR_CODES,
      ...STORE_ERROR_CODES,
      ...API_ERROR_CODES,
      ...CLI_ERROR_CODES,
      ...HOST_ERROR_CODES,
      ...IDENTITY_ERROR_CODES,
      ...MARKET_ERROR_CODES,
      ...PROTOCOL_ERROR_CODES,
      ...VALIDATION_CODE_LIST,
      ...FILL_REFUSALS,
      ...CHAIN_ERROR_CODES,
      ...SETTLE_REFUSALS,
      ...QPU_ERROR_CODES,
      ...GPU_ERROR_CODES,
      ...WASM_ERROR_CODES,
      ...QASM_ERROR_CODES,
    ]
    expect(new Set(all).size).toBe(all.length)
    for (const code of all) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/)
  })
})
