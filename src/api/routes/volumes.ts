/**
 * The volume router (moby api/server/router/volume): list, create, inspect, remove, prune, each a
 * thin handler over the volume service. Shapes and statuses as the 20.10 engine answers them:
 * `GET /volumes` is `{"Volumes":[...],"Warnings":null}`, create answers 201, remove 204, prune
 * `{"VolumesDeleted":[...],"SpaceReclaimed":N}`.
 */
import type { VolumeService } from '../../engine/volumes.js';
import { BoxlabError } from '../../errors.js';
import { boolValue, param, parseFilters, writeJson, writeStatus, type ApiRequest } from '../http.js';
import type { Route } from '../route.js';

/** httputils.CheckForJSON: a body must come as application/json (the engine's 400 otherwise). */
function checkJson(req: ApiRequest): void {
  const ct = req.headers['content-type'] ?? '';
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!ct && !hasBody) return;
  if (ct.split(';')[0]!.trim().toLowerCase() !== 'application/json')
    throw new BoxlabError('InvalidArgument', `Content-Type specified (${ct}) must be 'application/json'`);
}

async function jsonBody(req: ApiRequest): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch (e) {
    throw new BoxlabError('InvalidArgument', (e as Error).message);
  }
}

export function volumeRoutes(volumes: VolumeService): Route[] {
  return [
    {
      method: 'GET',
      path: '/volumes',
      handler: (req, res) => {
        const list = volumes.list(parseFilters(req.query.get('filters')));
        writeJson(res, 200, { Volumes: list.map((v) => volumes.json(v)), Warnings: null });
      },
    },
    {
      method: 'POST',
      path: '/volumes/create',
      handler: async (req, res) => {
        checkJson(req);
        const body = (await jsonBody(req)) as Parameters<VolumeService['create']>[0];
        writeJson(res, 201, volumes.json(volumes.create(body)));
      },
    },
    {
      method: 'POST',
      path: '/volumes/prune',
      handler: (req, res) => {
        const { deleted, reclaimed } = volumes.prune(parseFilters(req.query.get('filters')));
        writeJson(res, 200, { VolumesDeleted: deleted, SpaceReclaimed: reclaimed });
      },
    },
    {
      method: 'GET',
      path: '/volumes/*name',
      handler: (req, res) => {
        writeJson(res, 200, volumes.json(volumes.get(param(req, 'name'))));
      },
    },
    {
      method: 'DELETE',
      path: '/volumes/*name',
      handler: (req, res) => {
        volumes.remove(param(req, 'name'), boolValue(req.query, 'force'));
        writeStatus(res, 204);
      },
    },
  ];
}
