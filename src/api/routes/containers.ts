/**
 * The container router (moby api/server/router/container): create, start, stop, kill, restart,
 * pause, wait, rename, remove, list, inspect, logs, attach, top, changes, export, prune, and exec.
 * Handlers parse the request, call the container service and write JSON or a stream.
 */
import type { ServerResponse } from 'node:http';
import { BoxlabError } from '../../errors.js';
import { errorWords } from '../errors.js';
import type { Engine } from '../../engine/engine.js';
import { inspectContainer, cacheId, DOCKER_ROOT } from '../../engine/containers/inspect.js';
import { containerRow, parseFilters, selectContainers } from '../../engine/containers/list.js';
import type { WaitCondition } from '../../engine/containers/service.js';
import { top } from '../../engine/containers/top.js';
import { commitContainer } from '../../engine/containers/commit.js';
import { boolValue, param, writeJson, writeStatus, type ApiRequest } from '../http.js';
import { frame, hijack, upgradeBody, type Hijacked } from '../hijack.js';
import { InputQueue } from '../../engine/containers/stdin.js';
import { checkLogsReadable } from '../../engine/containers/verify.js';
import { archiveRoutes } from './archive.js';
import { updateRoutes } from './update.js';
import type { Route } from '../route.js';

async function readBody(req: ApiRequest): Promise<unknown> {
  let raw = await upgradeBody(req);
  if (raw === null) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    raw = Buffer.concat(chunks);
  }
  const text = raw.toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) ?? {};
  } catch (e) {
    throw new BoxlabError('InvalidArgument', `invalid character in request body: ${(e as Error).message}`);
  }
}

/** `t` of stop and restart: seconds, or the container's own timeout when absent. */
function timeoutOf(req: ApiRequest): number | undefined {
  const t = req.query.get('t');
  if (t === null || t === '') return undefined;
  const n = Number(t);
  if (!Number.isInteger(n)) throw new BoxlabError('InvalidArgument', `strconv.Atoi: parsing "${t}": invalid syntax`);
  return n;
}

/** Since/until as the API takes them: unix seconds, possibly fractional. */
function timeArg(v: string | null): number | undefined {
  if (v === null || v === '' || v === '0') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n * 1000 : undefined;
}

/** `h` and `w` of /resize, as moby's postContainersResize reads them (strconv.Atoi). */
function windowSize(req: ApiRequest): { rows: number; cols: number } {
  const num = (k: string) => {
    const v = req.query.get(k) ?? '';
    if (!/^[+-]?\d+$/.test(v)) throw new BoxlabError('InvalidArgument', `strconv.Atoi: parsing "${v}": invalid syntax`);
    return Number(v);
  };
  return { rows: num('h'), cols: num('w') };
}

/**
 * `stdin=1` on an attach: what the client sends goes to PID 1's stdin when the container was made
 * with OpenStdin; when the client closes its side, stdin ends for a StdinOnce container (`run -i`).
 */
function attachStdin(svc: Engine['containers'], ref: string, req: ApiRequest, h: Hijacked): void {
  if (!boolValue(req.query, 'stdin')) return;
  const q = svc.stdinOf(ref);
  if (!q) return;
  const once = svc.get(ref).config.StdinOnce;
  h.readInput((d) => q.push(d), () => {
    if (once) q.end();
  });
}

export function containerRoutes(engine: Engine): Route[] {
  const svc = engine.containers;
  const lowerDirs = async (id: string) => {
    // an image removed with --force under a stopped container leaves its layers but no record
    // (the record alone: its chainIDs; not the config and tags imageRecord reads too)
    const found = await engine.store.image(svc.get(id).image).catch((e: unknown) => {
      if (e instanceof BoxlabError && e.code === 'NotFound') return null;
      throw e;
    });
    return found ? [...found.chainIds].reverse().map((c) => `${DOCKER_ROOT}/overlay2/${cacheId(c)}/diff`) : [];
  };

  return [
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (req, res) => {
        const body = (await readBody(req)) as Record<string, unknown>;
        const name = req.query.get('name') || undefined;
        const { id, warnings } = await svc.create(body, name);
        writeJson(res, 201, { Id: id, Warnings: warnings });
      },
    },
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (req, res) => {
        const all = boolValue(req.query, 'all');
        const limit = req.query.get('limit');
        const filters = parseFilters(req.query.get('filters') ?? undefined);
        const chosen = selectContainers(svc.all(), {
          all,
          filters,
          ...(limit ? { limit: Number(limit) } : {}),
          get: (ref) => svc.get(ref),
          imageIdsFor: (ref) => {
            try {
              return [svc.all().find((c) => c.config.Image === ref)?.image ?? ''].filter(Boolean);
            } catch {
              return [];
            }
          },
        });
        const now = Date.now();
        // moby's transformContainer: a reference that no longer names the container's image shows its ID
        const imageNow = new Map<string, string | null>();
        for (const c of chosen)
          if (!imageNow.has(c.config.Image)) imageNow.set(c.config.Image, await engine.images.resolve(c.config.Image).catch(() => null));
        writeJson(
          res,
          200,
          chosen.map((c) => {
            const row = containerRow(c, now, { ports: engine.ports.apiPorts(c, c.state.Running) });
            return c.config.Image !== c.image && imageNow.get(c.config.Image) !== c.image ? { ...row, Image: c.image } : row;
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/json',
      handler: async (req, res) => {
        const c = svc.get(param(req, 'id'));
        writeJson(res, 200, inspectContainer(c, { lowerDirs: await lowerDirs(c.id), execIds: engine.execs.idsOf(c.id), ports: engine.ports.portsJson(c) }));
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/start',
      handler: async (req, res) => {
        try {
          await svc.start(param(req, 'id'));
        } catch (e) {
          if (e instanceof BoxlabError && e.code === 'NotModified') return writeStatus(res, 304);
          throw e;
        }
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/stop',
      handler: async (req, res) => {
        try {
          await svc.stop(param(req, 'id'), timeoutOf(req));
        } catch (e) {
          if (e instanceof BoxlabError && e.code === 'NotModified') return writeStatus(res, 304);
          throw e;
        }
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/restart',
      handler: async (req, res) => {
        const id = param(req, 'id');
        svc.get(id);
        try {
          await svc.restart(id, timeoutOf(req));
        } catch (e) {
          // daemon ContainerRestart wraps what containerRestart returns (fmt.Errorf: a 500)
          throw new BoxlabError('Unavailable', `Cannot restart container ${id}: ${errorWords(e)}`);
        }
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/kill',
      handler: async (req, res) => {
        await svc.kill(param(req, 'id'), req.query.get('signal') || 'KILL');
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/pause',
      handler: async (req, res) => {
        await svc.pause(param(req, 'id'));
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/unpause',
      handler: async (req, res) => {
        await svc.unpause(param(req, 'id'));
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/rename',
      handler: async (req, res) => {
        await svc.rename(param(req, 'id'), req.query.get('name') ?? '');
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/wait',
      handler: async (req, res) => {
        const cond = (req.query.get('condition') || 'not-running') as WaitCondition;
        if (!['not-running', 'next-exit', 'removed'].includes(cond))
          throw new BoxlabError('InvalidArgument', `invalid condition: "${cond}"`);
        const w = svc.wait(param(req, 'id'), cond);
        await w.ready;
        // the headers go at once (moby flushes them), the body when the container stops
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const code = await w.done;
        res.end(`${JSON.stringify({ Error: null, StatusCode: code })}\n`);
      },
    },
    {
      method: 'DELETE',
      path: '/containers/:id',
      handler: async (req, res) => {
        await svc.remove(param(req, 'id'), { force: boolValue(req.query, 'force'), removeVolumes: boolValue(req.query, 'v') });
        writeStatus(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (_req, res) => {
        const deleted: string[] = [];
        for (const c of svc.all()) {
          if (c.state.Running || c.state.Paused || c.state.Restarting) continue;
          await svc.remove(c.id);
          deleted.push(c.id);
        }
        writeJson(res, 200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/logs',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const c = svc.get(ref);
        checkLogsReadable(c.hostConfig);
        const stdout = boolValue(req.query, 'stdout');
        const stderr = boolValue(req.query, 'stderr');
        if (!stdout && !stderr) throw new BoxlabError('InvalidArgument', 'Bad parameters: you must choose at least one stream');
        const tailArg = req.query.get('tail');
        const tail = tailArg && tailArg !== 'all' ? Number(tailArg) : undefined;
        const timestamps = boolValue(req.query, 'timestamps');
        const follow = boolValue(req.query, 'follow');
        const log = svc.logOf(ref);
        const tty = c.config.Tty;
        const send = (r: { stream: 'stdout' | 'stderr'; line: Buffer; time: string }) => {
          if ((r.stream === 'stdout' && !stdout) || (r.stream === 'stderr' && !stderr)) return;
          const data = timestamps ? Buffer.concat([Buffer.from(`${r.time} `), r.line]) : r.line;
          res.write(tty ? data : frame(r.stream, data));
        };
        res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
        const since = timeArg(req.query.get('since'));
        const until = timeArg(req.query.get('until'));
        for (const r of log.read({ ...(tail !== undefined ? { tail } : {}), ...(since !== undefined ? { sinceMs: since } : {}), ...(until !== undefined ? { untilMs: until } : {}) })) send(r);
        if (follow && (c.state.Running || c.state.Restarting)) {
          const unfollow = log.follow(send);
          await Promise.race([svc.streamsClosed(ref), new Promise<void>((r) => res.once('close', () => r()))]);
          unfollow();
        }
        res.end();
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/attach',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const c = svc.get(ref);
        const stdout = boolValue(req.query, 'stdout');
        const stderr = boolValue(req.query, 'stderr');
        const h = hijack(req, res, { tty: c.config.Tty });
        attachStdin(svc, ref, req, h);
        if (boolValue(req.query, 'logs'))
          for (const r of svc.logOf(ref).read()) if ((r.stream === 'stdout' && stdout) || (r.stream === 'stderr' && stderr)) h.write(r.stream, r.line);
        if (!boolValue(req.query, 'stream')) return h.end();
        const { stop, closed } = svc.listen(ref, (stream, data) => {
          if ((stream === 'stdout' && stdout) || (stream === 'stderr' && stderr)) h.write(stream, data);
        });
        // a created container's streams open when it starts; one that is not running ends now
        const cur = svc.get(ref);
        if (cur.hasBeenStarted && !cur.state.Running && !cur.state.Restarting) {
          stop();
          return h.end();
        }
        await Promise.race([closed, h.clientDone.then(() => new Promise<void>(() => {}))]);
        stop();
        h.end();
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/resize',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const { rows, cols } = windowSize(req);
        const c = svc.get(ref);
        if (!c.state.Running) throw new BoxlabError('FailedPrecondition', `Container ${c.id} is not running`);
        svc.resize(ref, rows, cols);
        writeStatus(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/top',
      handler: async (req, res) => {
        const ref = param(req, 'id');
        const c = svc.get(ref);
        const task = svc.task(ref);
        if (!task || !c.state.Running) throw new BoxlabError('FailedPrecondition', `Container ${c.id} is not running`);
        writeJson(res, 200, top(task.processes(), req.query.get('ps_args') ?? '-ef'));
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/changes',
      handler: async (req, res) => {
        const c = svc.get(param(req, 'id'));
        const root = await engine.runtime.rootfs(c);
        const kind = { C: 0, A: 1, D: 2 } as const;
        writeJson(res, 200, root.diff().map((ch) => ({ Path: ch.path, Kind: kind[ch.kind] })));
      },
    },
    {
      method: 'GET',
      path: '/containers/:id/export',
      handler: async (req, res) => {
        const c = svc.get(param(req, 'id'));
        const root = await engine.runtime.rootfs(c);
        const { exportFs } = await import('../../vfs/export.js');
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        await exportFs(root, res);
      },
    },
    ...archiveRoutes(engine),
    ...updateRoutes(engine),
    {
      method: 'POST',
      path: '/commit',
      handler: async (req, res) => {
        const body = (await readBody(req)) as Record<string, unknown>;
        const c = svc.get(req.query.get('container') ?? '');
        const root = await engine.runtime.rootfs(c);
        await engine.runtime.checkpoint(c);
        const id = await commitContainer(engine.store, engine.images, c, root.packUpperStream() as unknown as import('node:stream').Readable, {
          repo: req.query.get('repo') ?? '',
          tag: req.query.get('tag') ?? '',
          comment: req.query.get('comment') ?? '',
          author: req.query.get('author') ?? '',
          changes: req.query.getAll('changes').filter(Boolean),
          ...(Object.keys(body).length ? { config: body } : {}),
        });
        engine.events.emit('container', 'commit', c.id, { comment: req.query.get('comment') ?? '', image: c.config.Image, name: c.name.slice(1) });
        writeJson(res, 201, { Id: id });
      },
    },
    {
      method: 'POST',
      path: '/containers/:id/exec',
      handler: async (req, res) => {
        const body = (await readBody(req)) as Record<string, unknown>;
        const id = engine.execs.create(param(req, 'id'), body);
        writeJson(res, 201, { Id: id });
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/start',
      handler: async (req, res) => {
        const id = param(req, 'id');
        const body = (await readBody(req)) as { Detach?: boolean; Tty?: boolean };
        const info = engine.execs.inspect(id) as { ProcessConfig: { tty: boolean }; OpenStdin: boolean };
        if (body.Detach) {
          void engine.execs.start(id, () => {});
          return writeStatus(res, 200);
        }
        const h = hijack(req, res, { tty: info.ProcessConfig.tty });
        let stdin: InputQueue | undefined;
        if (info.OpenStdin) {
          const q = (stdin = new InputQueue());
          h.readInput((d) => q.push(d), () => q.end());
        }
        await engine.execs.start(id, (stream, data) => h.write(stream, data), stdin);
        h.end();
      },
    },
    {
      method: 'POST',
      path: '/exec/:id/resize',
      handler: async (req, res) => {
        const { rows, cols } = windowSize(req);
        engine.execs.resize(param(req, 'id'), rows, cols);
        writeStatus(res, 200);
      },
    },
    {
      method: 'GET',
      path: '/exec/:id/json',
      handler: async (req, res) => {
        writeJson(res, 200, engine.execs.inspect(param(req, 'id')));
      },
    },
  ];
}

/**
 * What `docker inspect NAME` asks after a container is not found: the other object kinds answer
 * as the engine does for a name it has none of (until volumes, networks and plugins exist here).
 */
export function fallbackInspectRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/plugins/:name/json',
      handler: (req) => {
        throw new BoxlabError('NotFound', `plugin "${param(req, 'name')}" not found`);
      },
    },
  ];
}

export type { ServerResponse };
