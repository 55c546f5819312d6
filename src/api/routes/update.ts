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

async function updateBody(req: ApiRequest): Promise<UpdateRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BoxlabError('InvalidArgument', `invalid character in request body: ${(e as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new BoxlabError('InvalidArgument', 'json: cannot unmarshal into Go value of type container.UpdateConfig');
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
