/**
 * Section 4 of `npm run bench:ipam` (issue 18): a /16 through the engine, in process.
 *
 * a. Containers: an Engine on a fresh root (a tmpfs when /dev/shm exists) with the dk-build image and
 *    one user network on a /16; `docker run -d --network big dk-build sh -c 'sleep 3600'` as the API
 *    does it (containers.create + start), until `--containers` (60,000) are running, or `--budget-s`
 *    seconds are spent when one is given (none by default). Every one is a real container of the
 *    model: PID 1 with its PID and mount namespaces, the overlay rootfs with its upper persisted as
 *    an active snapshot, config.v2.json written durably, an endpoint and an address from IPAM.
 *    Printed: the count reached, the total time, the time (wall and CPU) per container over the
 *    first 1,000 and the last 1,000, heap (after GC) and RSS per running container.
 * b. Endpoints: 60,000 containers joined to one /16 through the network service (the sandbox, the
 *    endpoint, its address from IPAM, its /etc/hosts), what `start` does for the network, on records
 *    that run nothing: time per endpoint over the first and the last 1,000, heap per endpoint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../src/engine/engine.js';
import type { ContainerRecord } from '../src/engine/containers/record.js';

/** The corpus image, found from the source tree or from its compiled copy (dist/.bench/bench). */
const IMAGE_TAR = [path.join(import.meta.dirname, '..'), path.join(import.meta.dirname, '..', '..', '..')]
  .map((root) => path.join(root, 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar'))
  .find((p) => fs.existsSync(p)) as string;
const WINDOW = 1000;

export interface EngineFigures {
  containers: { wanted: number; reached: number; budgetS: number; totalS: number; cpuS: number; firstMs: number; lastMs: number; firstCpuMs: number; lastCpuMs: number; heapBytesPer: number; rssBytesPer: number };
  endpoints: { count: number; totalS: number; firstUs: number; lastUs: number; heapBytesPer: number; lastAddress: string };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : NaN;
};

async function runningContainers(engine: Engine, heap: () => number, wanted: number, budgetS: number, progress: (s: string) => void): Promise<EngineFigures['containers']> {
  await engine.networks.create({ Name: 'big', IPAM: { Config: [{ Subnet: '10.20.0.0/16' }] } });
  const body = { Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], HostConfig: { NetworkMode: 'big' } };
  const heapBefore = heap();
  const rssBefore = process.memoryUsage().rss;
  const times: number[] = [];
  // CPU time per 1,000 (user + system): the wall time also counts whatever else the machine runs
  const cpuPer1000: number[] = [];
  let cpuMark = process.cpuUsage();
  const cpuStart = cpuMark;
  const start = performance.now();
  const deadline = budgetS > 0 ? start + budgetS * 1000 : Infinity;
  while (times.length < wanted && performance.now() < deadline) {
    const t = performance.now();
    const { id } = await engine.containers.create(body);
    await engine.containers.start(id);
    times.push(performance.now() - t);
    if (times.length % 1000 === 0) {
      const c = process.cpuUsage(cpuMark);
      cpuPer1000.push((c.user + c.system) / 1e3 / 1000);
      cpuMark = process.cpuUsage();
      // heapUsed without a GC here: a forced one per 1,000 would cost more than the containers
      if (times.length % 5000 === 0) progress(`${times.length} containers running, ${((performance.now() - start) / 1000).toFixed(0)} s, heap ~${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
    }
  }
  const totalS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const reached = times.length;
  const running = engine.containers.all().filter((c) => c.state.Running).length;
  if (running !== reached) throw new Error(`${running} containers running, ${reached} started`);
  return {
    wanted,
    reached,
    budgetS,
    totalS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    firstMs: median(times.slice(0, WINDOW)),
    lastMs: median(times.slice(-WINDOW)),
    firstCpuMs: cpuPer1000[0] ?? NaN,
    lastCpuMs: cpuPer1000.at(-1) ?? NaN,
    heapBytesPer: (heap() - heapBefore) / reached,
    rssBytesPer: (process.memoryUsage().rss - rssBefore) / reached,
  };
}

/** A record that runs nothing, as `create` would make it for `--network NET` (what attach reads of it). */
function record(engine: Engine, i: number, net: string): ContainerRecord {
  const id = i.toString(16).padStart(12, '0').padEnd(64, 'e');
  return { id, name: `/ep${i}`, config: { Hostname: id.slice(0, 12) }, hostConfig: { NetworkMode: net }, networks: engine.networks.initialNetworks({ NetworkMode: net }, undefined) } as unknown as ContainerRecord;
}

function endpoints(engine: Engine, heap: () => number, count: number): EngineFigures['endpoints'] {
  const recs = Array.from({ length: count }, (_, i) => record(engine, i, 'wide'));
  const heapBefore = heap();
  const times: number[] = [];
  const start = performance.now();
  for (const rec of recs) {
    const t = performance.now();
    engine.networks.attach(rec);
    times.push(performance.now() - t);
  }
  const totalS = (performance.now() - start) / 1000;
  const heapBytesPer = (heap() - heapBefore) / count;
  return { count, totalS, firstUs: median(times.slice(0, WINDOW)) * 1000, lastUs: median(times.slice(-WINDOW)) * 1000, heapBytesPer, lastAddress: recs.at(-1)?.networks.wide?.IPAddress ?? '' };
}

export async function engineSection(opts: { containers: number; budgetS: number; endpoints: number; heap: () => number; progress: (s: string) => void }): Promise<EngineFigures> {
  const parent = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const root = fs.mkdtempSync(path.join(parent, 'boxlab-bench-ipam-'));
  try {
    const engine = await Engine.open({ root });
    await engine.init();
    await engine.images.load(IMAGE_TAR);
    // warm the JIT on the whole path first, so the first 1,000 are not its compile time
    const warm = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'] });
    await engine.containers.start(warm.id);
    await engine.containers.remove(warm.id, { force: true });
    const containers = await runningContainers(engine, opts.heap, opts.containers, opts.budgetS, opts.progress);
    opts.progress(`${opts.endpoints} endpoints through the network service`);
    await engine.networks.create({ Name: 'wide', IPAM: { Config: [{ Subnet: '10.30.0.0/16' }] } });
    const eps = endpoints(engine, opts.heap, opts.endpoints);
    return { containers, endpoints: eps };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
