// Signing the market's own messages: one place that encodes a body deterministically and
// signs it under its kind's domain, so every signer produces what validate.ts checks.

import type { Signer } from '../signing/ed25519.ts'
import {
  type CancelBody,
  encodeCancelBody,
  encodeOrderBody,
  messageId,
  type OrderBody,
  SIGNING_DOMAINS,
  type SignedCancel,
  type SignedOrder,
} from './messages.ts'

export function signOrder(body: OrderBody, signer: Signer): SignedOrder {
  const bodyBytes = encodeOrderBody(body)
  return {
    id: messageId(bodyBytes),
    body,
    bodyBytes,
    signature: signer.sign(SIGNING_DOMAINS.order, bodyBytes),
  }
}

export function signCancel(body: CancelBody, signer: Signer): SignedCancel {
  const bodyBytes = encodeCancelBody(body)
  return { body, bodyBytes, signature: signer.sign(SIGNING_DOMAINS.cancel, bodyBytes) }
}
