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
  // the view holds the binds' host fds for this request only (closed whatever happens)
  const withView = async <T>(ref: string, fn: (v: Awaited<ReturnType<Engine['runtime']['archiveView']>>) => Promise<T>): Promise<T> => {
    const v = await engine.runtime.archiveView(svc.get(ref));
    try {
      return await fn(v);
    } finally {
      v.close();
    }
  };
  return [
    {
      method: 'HEAD',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const st = await withView(ref, async (v) => statPath(v.fs, req.query.get('path') ?? '', ref));
        res.setHeader('X-Docker-Container-Path-Stat', statHeader(st));
        writeStatus(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const path = req.query.get('path') ?? '';
        await withView(ref, async ({ fs }) => {
          const st = statPath(fs, path, ref);
          res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(st) });
          await archivePath(fs, path, ref, res);
        });
      },
    },
    {
      method: 'PUT',
      path: '/containers/:id/archive',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        await withView(ref, ({ fs, volumes, readOnlyRootfs }) =>
          extractArchive(fs, req.query.get('path') ?? '', ref, req as unknown as Readable, {
            noOverwriteDirNonDir: boolValue(req.query, 'noOverwriteDirNonDir'),
            volumes,
            readOnlyRootfs,
          }),
        );
        writeStatus(res, 200);
      },
    },
  ];
}
