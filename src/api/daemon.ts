/**
 * The daemon: one engine, its routers composed into one handler, served on every `-H` at once,
 * stopped cleanly (moby cmd/dockerd: listeners, then the API server, then shutdown on a signal).
 * Routers: system and images today; containers, volumes, networks and exec join in `routes()`.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:net';
import type { Engine } from '../engine/engine.js';
import { hostString, listen, type Host, type TlsFiles } from './listen.js';
import type { Route } from './route.js';
import { containerRoutes, fallbackInspectRoutes } from './routes/containers.js';
import { imageRoutes } from './routes/images.js';
import { statsRoutes } from './routes/stats.js';
import { networkRoutes } from './routes/networks.js';
import { systemRoutes } from './routes/system.js';
import { volumeRoutes } from './routes/volumes.js';
import { apiHandler } from './server.js';
import { traceRequest, tracingRequests } from './trace.js';

export interface DaemonOptions {
  hosts: Host[];
  tls?: TlsFiles;
  tlsVerify?: boolean;
  debug?: boolean;
  /** Where `API listen on ...` and debug lines go (stderr, as dockerd logs). */
  log?: (line: string) => void;
}

/** Every resource's routes, each router over its backend (STYLE.md: a router per resource). */
export function routes(engine: Engine, opts: { debug?: boolean; signal?: AbortSignal } = {}): Route[] {
  const id = createHash('sha256').update(engine.store.root).digest('hex').slice(0, 48).toUpperCase().match(/.{4}/g)!.join(':');
  return [
    ...systemRoutes({ images: engine.images, volumes: engine.volumes, events: engine.events, root: engine.store.root, id, debug: !!opts.debug, cgroupVersion: () => engine.runtime.cgroups.version, ...(opts.signal ? { signal: opts.signal } : {}) }),
    ...imageRoutes(engine.images),
    ...containerRoutes(engine),
    ...volumeRoutes(engine.volumes),
    ...statsRoutes(engine),
    ...networkRoutes(engine),
    ...fallbackInspectRoutes(),
  ];
}

export class Daemon {
  private readonly servers: Server[] = [];
  private readonly stopping = new AbortController();

  private constructor(
    readonly engine: Engine,
    private readonly opts: DaemonOptions,
  ) {}

  /** Starts listening on every host; resolves once all listen (each logged as dockerd logs it). */
  static async start(engine: Engine, opts: DaemonOptions): Promise<Daemon> {
    await engine.init();
    const d = new Daemon(engine, opts);
    const handle = apiHandler(routes(engine, { ...opts, signal: d.stopping.signal }));
    const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    const trace = tracingRequests();
    try {
      for (const h of opts.hosts) {
        const server = await listen(
          h,
          (req, res) => {
            if (opts.debug) log(`Calling ${req.method} ${req.url}`);
            if (trace) traceRequest(req, res, log);
            handle(req, res);
          },
          { ...(opts.tls ? { tls: opts.tls } : {}), tlsVerify: !!opts.tlsVerify },
        );
        d.servers.push(server);
        log(`API listen on ${hostString(h)}`);
      }
    } catch (e) {
      await d.stop();
      throw e;
    }
    return d;
  }

  /** Where each listener listens (a TCP port given as 0 is the one the system chose). */
  addresses(): (ReturnType<Server['address']>)[] {
    return this.servers.map((s) => s.address());
  }

  /** Aborted when the daemon stops: long answers (events) end then. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /**
   * Stops accepting, lets requests in flight finish (loads complete or fail whole), ends event
   * streams, removes the unix sockets (Node unlinks a socket file when its server closes), then stops
   * the running containers as `docker stop` does, in parallel (moby's daemon.Shutdown without
   * live-restore): a PID 1 that ignores SIGTERM holds the daemon for its grace period, at most 10 s.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    const closed = Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            (s as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      ),
    );
    // an attached client (`docker run` without -d) holds its connection until its container ends
    await Promise.all([closed, this.engine.containers.shutdown()]);
  }
}
