/**
 * POST /containers/{id}/update (moby api/server/router/container postContainerUpdate): the body is a
 * container.UpdateConfig; the answer is `{"Warnings": ...}` with 200. The checks, the merge and
 * their words live in the engine (engine/containers/update.ts).
 */
import type { ServerResponse } from 'node:http';
import { BoxlabError } from '../../errors.js';
import type { Engine } from '../../engine/engine.js';
import type { UpdateRequest } from '../../engine/containers/update.js';
import { param, writeJson, type ApiRequest } from '../http.js';
import type { Route } from '../route.js';

/** The numeric fields and their Go types: a JSON value of another kind fails the decode (500, measured). */
const NUMBERS: [string, string][] = [
  ...['Memory', 'MemorySwap', 'MemoryReservation', 'KernelMemory', 'NanoCpus', 'CpuQuota', 'CpuPeriod', 'CpuShares', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'PidsLimit'].map((k): [string, string] => [k, 'int64']),
  ['BlkioWeight', 'uint16'],
];

async function updateBody(req: ApiRequest): Promise<UpdateRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  // moby decodes with json.NewDecoder and no error class: an empty body is a 500 `EOF` (measured)
  if (!text.trim()) throw new BoxlabError('Unavailable', 'EOF');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BoxlabError('Unavailable', `invalid character in request body: ${(e as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
    throw new BoxlabError('Unavailable', `json: cannot unmarshal ${kind} into Go value of type container.UpdateConfig`);
  }
  for (const [k, type] of NUMBERS) {
    const f = (v as Record<string, unknown>)[k];
    if (f !== undefined && f !== null && typeof f !== 'number') {
      throw new BoxlabError('Unavailable', `json: cannot unmarshal ${typeof f === 'boolean' ? 'bool' : Array.isArray(f) ? 'array' : typeof f} into Go struct field UpdateConfig.${k} of type ${type}`);
    }
  }
  return v as UpdateRequest;
}

export function updateRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/:id/update',
      handler: async (req: ApiRequest, res: ServerResponse) => {
        const body = await updateBody(req);
        writeJson(res, 200, await engine.containers.update(param(req, 'id'), body));
      },
    },
  ];
}
