/**
 * The engine's words for each network failure (libnetwork and the daemon, 20.10; measured on the
 * engine here: test/network/FACTS.md has each text and when it appears). The model's errors carry a
 * reason and data; this is the one place they become what `docker` prints after "Error response
 * from daemon: ".
 */
import type { NetworkError } from '../network/errors.js';

export function networkWords(e: NetworkError): string {
  const d = e.data;
  switch (e.reason) {
    case 'PoolOverlap':
      return 'Pool overlaps with other one on this address space';
    case 'PoolsExhausted':
      return `could not find an available, non-overlapping IPv${d.family ?? 4} address pool among the defaults to assign to the network`;
    case 'NoAvailableAddresses':
      return `no available IPv4 addresses on this network's address pools: ${d.network ?? ''} (${d.networkId ?? ''})`;
    case 'GatewayUnavailable':
      return 'failed to allocate gateway (): No available addresses on this pool';
    case 'AddressInUse':
      return 'Address already in use';
    case 'AddressOutsidePool':
      return `Invalid address ${d.address ?? ''}: It does not belong to any of this network's subnets`;
    case 'StaticIpNeedsUserSubnet':
      return 'user specified IP address is supported only when connecting to networks with user configured subnets';
    case 'StaticIpOnDefaultNetwork':
      return 'user specified IP address is supported on user defined networks only';
    case 'AliasOnDefaultNetwork':
      // the daemon's words; `docker run --network-alias` on the bridge is refused by the CLI first
      // ("network-scoped aliases are only supported for user-defined networks")
      return 'network-scoped alias is supported only for containers in user defined networks';
    case 'NetworkNotFound':
      return `network ${d.network ?? ''} not found`;
    case 'NetworkNameExists':
      return `network with name ${d.network ?? ''} already exists`;
    case 'PredefinedNetwork':
      return `${d.network ?? ''} is a pre-defined network and cannot be removed`;
    case 'ActiveEndpoints':
      return `error while removing network: network ${d.network ?? ''} id ${d.networkId ?? ''} has active endpoints`;
    case 'EndpointExists':
      return `endpoint with name ${d.container ?? ''} already exists in network ${d.network ?? ''}`;
    case 'NotConnected':
      return `container ${d.containerId ?? ''} is not connected to ${d.stopped ? 'the ' : ''}network ${d.network ?? ''}`;
    case 'PortAllocated':
      return `Bind for ${d.address ?? ''} failed: port is already allocated`;
    case 'PrivateNetworkMode':
      return 'container cannot be connected to multiple networks with one of the networks in private (none) mode';
    case 'SharedNetworkNamespace':
      return 'container sharing network namespace with another container or host cannot be connected to any other network';
    case 'HostNetworkChange':
      return 'container cannot be disconnected from host network or connected to host network';
    case 'SingleInstanceDriver':
      return `only one instance of "${d.driver ?? ''}" network is allowed`;
    case 'InvalidSubnetConfig':
      return e.message;
  }
}
