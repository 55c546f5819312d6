/**
 * `docker cp`'s routes (moby api/server/router/container/copy.go): HEAD and GET
 * `/containers/{id}/archive?path=` answer the path's stat in `X-Docker-Container-Path-Stat` (base64
 * of its JSON), GET with the tar; PUT extracts the tar in the body under `path`.
 */
import type { Readable } from 'node:stream';
import type { Engine } from '../../engine/engine.js';
import { archivePath, extractArchive, statPath } from '../../engine/containers/archive.js';
import { boolValue, param, writeStatus } from '../http.js';
import type { Route } from '../route.js';

const statHeader = (s: object) => Buffer.from(JSON.stringify(s)).toString('base64');

export function archiveRoutes(engine: Engine): Route[] {
  const svc = engine.containers;
  const view = async (ref: string) => engine.runtime.archiveView(svc.get(ref));
  return [
    {
      method: 'HEAD',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const st = statPath(await view(ref), req.query.get('path') ?? '', ref);
        res.setHeader('X-Docker-Container-Path-Stat', statHeader(st));
        writeStatus(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const fs = await view(ref);
        const path = req.query.get('path') ?? '';
        const st = statPath(fs, path, ref);
        res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(st) });
        await archivePath(fs, path, ref, res);
      },
    },
    {
      method: 'PUT',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const fs = await view(ref);
        await extractArchive(fs, req.query.get('path') ?? '', ref, req as unknown as Readable, {
          noOverwriteDirNonDir: boolValue(req.query, 'noOverwriteDirNonDir'),
        });
        writeStatus(res, 200);
      },
    },
  ];
}
