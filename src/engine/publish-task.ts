/**
 * A start's port publishing (libnetwork bridge driver ProgramExternalConnectivity, run when the
 * gateway endpoint joins): the bindings go to the container's address on its gateway network, and
 * a failure is worded as the daemon records it in State.Error and answers it (measured, 20.10):
 *
 *   driver failed programming external connectivity on endpoint pb (<endpoint id>): Bind for 127.0.0.1:18080 failed: port is already allocated
 *   driver failed programming external connectivity on endpoint pc (<endpoint id>): Error starting userland proxy: listen tcp4 127.0.0.1:18091: bind: address already in use
 *
 * The first is the port allocator's refusal (another container holds the port); the second is
 * docker-proxy's failed listen(2) (some other process of the host holds it). State.Error keeps the
 * engine's text, so the wording is made here, where the record is written, not at the API.
 */
import { BoxlabError } from '../errors.js';
import { isNetworkError, type NetworkController } from '../network/index.js';
import type { ContainerRecord } from './containers/record.js';
import { portRequests, type PublishedPorts } from './published.js';

export async function publishFor(ports: PublishedPorts, ctl: NetworkController, rec: ContainerRecord): Promise<void> {
  if (portRequests(rec, ports.defaultIp).length === 0) return;
  const sb = ctl.sandboxOf(rec.id);
  const gw = sb ? ctl.gatewayEndpoint(sb) : undefined;
  // host and none networks have no bridge to publish through: the engine ignores the bindings there
  if (!gw?.ipv4) return;
  const bridge = ctl.get(gw.networkId).bridge ?? 'docker0';
  try {
    await ports.publish(rec, bridge, gw.ipv4, gw.gateway ?? '');
  } catch (e) {
    const prefix = `driver failed programming external connectivity on endpoint ${gw.name} (${gw.id})`;
    if (isNetworkError(e, 'PortAllocated') && e.data.address?.includes(':')) {
      throw new BoxlabError('Unavailable', `${prefix}: Bind for ${e.data.address} failed: port is already allocated`);
    }
    if (e instanceof BoxlabError && e.member === 'userland-proxy') {
      throw new BoxlabError('Unavailable', `${prefix}: Error starting userland proxy: ${e.message}`);
    }
    throw e;
  }
}
