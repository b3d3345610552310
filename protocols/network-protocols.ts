// Protocol ids are namespaced per network, so nodes of different networks (or a consortium
// and the public network) never mix DHT records even when they happen to connect.

export function dhtProtocol(network: string): string {
  return `/hcx/${network}/kad/1.0.0`
}
