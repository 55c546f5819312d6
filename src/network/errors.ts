/**
 * Network failures: a BoxlabError (its code from the shared vocabulary) that also names which
 * libnetwork failure it is and carries the data Docker's message needs. The API layer words them
 * (test/network/FACTS.md has the exact text the engine prints for each reason).
 */
import { BoxlabError, type ErrorCode } from '../errors.js';

export type NetworkErrorReason =
  | 'PoolOverlap' // a --subnet overlapping a pool already in the address space
  | 'PoolsExhausted' // no default pool left for a network without --subnet
  | 'NoAvailableAddresses' // the network's pool (or --ip-range) is full
  | 'GatewayUnavailable' // a /31 or /32 leaves no address for the gateway
  | 'AddressInUse' // --ip (or --gateway) names a taken or reserved address
  | 'AddressOutsidePool' // --ip outside every subnet of the network
  | 'StaticIpNeedsUserSubnet' // --ip on a network whose subnet came from the default pools
  | 'StaticIpOnDefaultNetwork' // --ip on the default bridge
  | 'AliasOnDefaultNetwork' // --network-alias on the default bridge
  | 'InvalidSubnetConfig' // --gateway or --ip-range outside its --subnet
  | 'NetworkNotFound'
  | 'NetworkNameExists'
  | 'PredefinedNetwork' // removing bridge, host or none
  | 'ActiveEndpoints' // removing a network that still has endpoints
  | 'EndpointExists' // connecting a container twice
  | 'NotConnected' // disconnecting a container that is not attached
  | 'PortAllocated' // a host port another binding already holds
  | 'PrivateNetworkMode' // connecting a --network none container to another network
  | 'SharedNetworkNamespace' // connecting a --network host (or container:) container to another network
  | 'HostNetworkChange' // connecting to, or disconnecting from, the host network
  | 'SingleInstanceDriver'; // a second network with the host or null driver

const codeOf: Record<NetworkErrorReason, ErrorCode> = {
  PoolOverlap: 'FailedPrecondition',
  PoolsExhausted: 'FailedPrecondition',
  NoAvailableAddresses: 'FailedPrecondition',
  GatewayUnavailable: 'FailedPrecondition',
  AddressInUse: 'AlreadyExists',
  AddressOutsidePool: 'InvalidArgument',
  StaticIpNeedsUserSubnet: 'InvalidArgument',
  StaticIpOnDefaultNetwork: 'InvalidArgument',
  AliasOnDefaultNetwork: 'InvalidArgument',
  InvalidSubnetConfig: 'InvalidArgument',
  NetworkNotFound: 'NotFound',
  NetworkNameExists: 'AlreadyExists',
  PredefinedNetwork: 'Forbidden',
  ActiveEndpoints: 'Forbidden',
  EndpointExists: 'AlreadyExists',
  NotConnected: 'FailedPrecondition',
  PortAllocated: 'AlreadyExists',
  PrivateNetworkMode: 'FailedPrecondition',
  SharedNetworkNamespace: 'FailedPrecondition',
  HostNetworkChange: 'FailedPrecondition',
  SingleInstanceDriver: 'FailedPrecondition',
};

/** What the message needs: a network's name and id, an address, a container, a port. */
export interface NetworkErrorData {
  network?: string;
  networkId?: string;
  address?: string;
  subnet?: string;
  container?: string;
  containerId?: string;
  endpoints?: readonly { name: string; id: string }[];
  /** 4 or 6: which family's default pools ran out ("...non-overlapping IPv6 address pool..."). */
  family?: 4 | 6;
  /** The network driver a refused create asked for. */
  driver?: string;
  /** The container was not running: the daemon, not libnetwork, refused (its own wording). */
  stopped?: boolean;
}

export class NetworkError extends BoxlabError {
  readonly reason: NetworkErrorReason;
  readonly data: NetworkErrorData;

  constructor(reason: NetworkErrorReason, message: string, data: NetworkErrorData = {}) {
    super(codeOf[reason], message, { member: data.network ?? data.address });
    this.name = 'NetworkError';
    this.reason = reason;
    this.data = data;
  }
}

export function isNetworkError(err: unknown, reason?: NetworkErrorReason): err is NetworkError {
  return err instanceof NetworkError && (reason === undefined || err.reason === reason);
}
