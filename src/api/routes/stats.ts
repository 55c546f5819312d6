/**
 * GET /containers/{id}/stats (moby api/server/router/container: getContainersStats): one object with
 * `stream=false` (after one collector interval, so that precpu_stats is the sample a second
 * earlier; at once with `one-shot=true`), else one object a second until the container stops or
 * the client goes. A stopped container gets moby's empty object. `docker stats` reads these.
 */
import type { ServerResponse } from 'node:http';
import type { Engine } from '../../engine/engine.js';
import { sample, statsJson, type StatsSample } from '../../engine/containers/stats.js';
import { boolValue, boolValueOrDefault, param, writeJson, type ApiRequest } from '../http.js';
import type { Route } from '../route.js';

/** moby's stats collector interval. */
const INTERVAL_MS = 1000;

const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function statsRoutes(engine: Engine): Route[] {
  const rt = engine.runtime;
  const one = (id: string, pre: StatsSample | null, now: StatsSample) => {
    const rec = engine.containers.get(id);
    const cg = rec.state.Running ? (rt.cgroupOf(rec.id) ?? null) : null;
    return statsJson(rec, cg, rt.machine, rt.cgroups.version, now, pre);
  };
  return [
    {
      method: 'GET',
      path: '/containers/:id/stats',
      handler: async (req: ApiRequest, res: ServerResponse) => {
        const id = engine.containers.get(param(req, 'id')).id;
        const stream = boolValueOrDefault(req.query, 'stream', true);
        const oneShot = boolValue(req.query, 'one-shot');
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        if (!stream) {
          if (oneShot) return writeJson(res, 200, one(id, null, sample(rt.machine, Date.now())));
          const pre = sample(rt.machine, Date.now());
          await delay(INTERVAL_MS, gone.signal);
          return writeJson(res, 200, one(id, pre, sample(rt.machine, Date.now())));
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        let pre: StatsSample | null = null;
        while (!gone.signal.aborted) {
          const now = sample(rt.machine, Date.now());
          const body = one(id, pre, now);
          res.write(`${JSON.stringify(body)}\n`);
          if (!engine.containers.get(id).state.Running) break;
          pre = now;
          await delay(INTERVAL_MS, gone.signal);
        }
        res.end();
      },
    },
  ];
}
