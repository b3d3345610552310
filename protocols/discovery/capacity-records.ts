// DHT provider records for capacity: a provider of class C on network N announces itself
// under the CID of "/hcx/N/capacity/C", so buyers find sellers of a class with one lookup.

import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

export async function capacityRecordKey(network: string, capacityClass: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`/hcx/${network}/capacity/${capacityClass}`))
  return CID.createV1(raw.code, digest)
}
