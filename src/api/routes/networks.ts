/**
 * The network router (moby api/server/router/network): list, inspect, create, remove, connect,
 * disconnect and prune, over the engine's network service. `GET /networks/{id}` answering 404 lets
 * `docker inspect NAME` go on to the next kind of object, as the CLI does against the engine.
 */
import type { Engine } from '../../engine/engine.js';
import { filterNetworks, NETWORK_FILTERS } from '../../engine/network-filter.js';
import type { EndpointRequest, NetworkCreateBody } from '../../engine/networks.js';
import { networkInspect } from '../../network/index.js';
import { BoxlabError } from '../../errors.js';
import { param, parseFilters, validateFilters, writeJson, writeStatus, type ApiRequest } from '../http.js';
import type { Route } from '../route.js';

async function readJsonBody<T>(req: ApiRequest): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {} as T;
  try {
    return (JSON.parse(text) ?? {}) as T;
  } catch (e) {
    throw new BoxlabError('InvalidArgument', `invalid JSON: ${(e as Error).message}`);
  }
}

export function networkRoutes(engine: Engine): Route[] {
  const svc = engine.networks;
  return [
    {
      method: 'GET',
      path: '/networks',
      handler: (req, res) => {
        const filters = parseFilters(req.query.get('filters'));
        validateFilters(filters, NETWORK_FILTERS);
        // the list leaves Containers empty; only GET /networks/{id} fills it (measured)
        writeJson(res, 200, filterNetworks(svc.list(), filters).map((n) => ({ ...networkInspect(n), Containers: {} })));
      },
    },
    {
      method: 'GET',
      path: '/networks/:id',
      handler: (req, res) => writeJson(res, 200, svc.inspect(param(req, 'id'))),
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async (req, res) => writeJson(res, 201, await svc.create(await readJsonBody<NetworkCreateBody>(req))),
    },
    {
      method: 'DELETE',
      path: '/networks/:id',
      handler: async (req, res) => {
        await svc.remove(param(req, 'id'));
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/connect',
      handler: async (req, res) => {
        const body = await readJsonBody<{ Container?: string; EndpointConfig?: EndpointRequest | null }>(req);
        await svc.connect(param(req, 'id'), body.Container ?? '', body.EndpointConfig ?? {});
        writeStatus(res, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/disconnect',
      handler: async (req, res) => {
        const body = await readJsonBody<{ Container?: string; Force?: boolean }>(req);
        await svc.disconnect(param(req, 'id'), body.Container ?? '', !!body.Force);
        writeStatus(res, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async (req, res) => {
        const filters = parseFilters(req.query.get('filters'));
        validateFilters(filters, ['until', 'label', 'label!']);
        const deleted = await svc.prune();
        writeJson(res, 200, { NetworksDeleted: deleted.length > 0 ? deleted : null });
      },
    },
  ];
}
