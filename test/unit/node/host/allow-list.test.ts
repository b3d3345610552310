import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { allowListGater, parseAllowList } from '../../../../node/host/allow-list.ts'

describe('allow-list', () => {
  it('reads one peer id a line, with comments and blank lines, and gates everyone else', async () => {
    const member = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const allowed = parseAllowList(`# members\n\n${member.toString()}  # acme\n`, 'members.txt')
    expect([...allowed]).toEqual([member.toString()])
    const gater = allowListGater(allowed)
    expect(gater.denyDialPeer?.(member)).toBe(false)
    expect(gater.denyDialPeer?.(stranger)).toBe(true)
    expect(gater.denyInboundEncryptedConnection?.(stranger, {} as never)).toBe(true)
  })

  it('names the file and line of an entry that is not a peer id', () => {
    expect(() => parseAllowList('# ok\nnot-a-peer\n', 'members.txt')).toThrow(/members\.txt:2/)
  })
})
