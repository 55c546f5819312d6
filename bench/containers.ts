/**
 * Section 5 of `npm run bench`: containers, the same docker CLI against `boxlab daemon` and a fresh
 * private dockerd, both with their data on one tmpfs, both holding the dk-build image (busybox).
 *
 * - `docker run --rm IMG true` and `docker exec C true`: the whole round trip a user waits for (the
 *   CLI's own start-up included, on both sides). Goal: boxlab at least 5x faster.
 * - the CLI's floor, measured in the same rounds: `docker --version` (the CLI process alone, no
 *   request) and the same two commands against a server that answers their exact requests at once
 *   with canned replies (bench/floor.ts). No daemon can be faster than that floor, so the table says
 *   how much of each wall time is the CLI and how much the daemon, and whether 5x is reachable at all.
 * - boxlab alone, `--containers N` (1,000 by default) containers `run -d IMG sh -c 'sleep 3600'`: the
 *   time per container over the first 100 and over the last 100 (goal: within 1.5x, so nothing in
 *   the daemon grows with the number of containers), the daemon's resident memory per running
 *   container (VmRSS after less before, over N; goal under 256 KB; it includes what the daemon's
 *   first containers cost once, the JIT's code and the heap's growth, so it falls as N grows: the
 *   slope from the 100th container to the last is printed beside it), and `docker ps` with N running.
 *   The real engine is not raced here: a thousand runc containers take this machine minutes and
 *   gigabytes, and the goal is boxlab's scaling.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boxlabSide, dockerSide, type Side } from './daemon.js';
import { startFloorServer } from './floor.js';
import { median, REPO, run, seconds } from './measure.js';
import { fmt, table, type Report } from './report.js';

const IMAGE_TAR = path.join(REPO, 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const IMG = 'dk-build:latest';
const KB = 1024;

/** VmRSS of a process, in bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * KB;
}

async function timed(times: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push(await seconds(fn));
  return out;
}

interface Race {
  run: number[];
  exec: number[];
}

/** The CLI against the canned server (bench/floor.ts), and the CLI alone. */
interface Floor extends Race {
  version: number[];
}

/**
 * run --rm and exec on each daemon and on the floor server, rotating the order each round so that
 * none always goes first.
 */
async function race(sides: Side[], floorEnv: NodeJS.ProcessEnv, rounds: number): Promise<{ sides: Record<string, Race>; floor: Floor }> {
  const out: Record<string, Race> = {};
  const floor: Floor = { run: [], exec: [], version: [] };
  for (const s of sides) {
    await run('docker', ['load', '-q', '-i', IMAGE_TAR], s.env);
    await run('docker', ['run', '-d', '--name', 'bench-exec', IMG, 'sh', '-c', 'sleep 3600'], s.env);
    out[s.name] = { run: [], exec: [] };
  }
  const steps: (() => Promise<void>)[] = [
    ...sides.map((s) => async () => {
      const t = out[s.name]!;
      t.run.push(...(await timed(5, () => run('docker', ['run', '--rm', IMG, 'true'], s.env))));
      t.exec.push(...(await timed(5, () => run('docker', ['exec', 'bench-exec', 'true'], s.env))));
    }),
    async () => {
      floor.run.push(...(await timed(5, () => run('docker', ['run', '--rm', IMG, 'true'], floorEnv))));
      floor.exec.push(...(await timed(5, () => run('docker', ['exec', 'bench-exec', 'true'], floorEnv))));
      floor.version.push(...(await timed(5, () => run('docker', ['--version'], floorEnv))));
    },
  ];
  for (let r = 0; r < rounds; r++) for (let i = 0; i < steps.length; i++) await steps[(i + r) % steps.length]!();
  for (const s of sides) await run('docker', ['rm', '-f', 'bench-exec'], s.env);
  return { sides: out, floor };
}

interface Fleet {
  count: number;
  first100: number;
  last100: number;
  bytesPerContainer: number;
  /** RSS growth from the 100th container to the last, per container: the cost of one more, without start-up. */
  marginalBytes?: number;
  ps: number;
}

/** N detached containers on boxlab: time per container at the start and at the end, memory, ps. */
async function fleet(side: Side, count: number): Promise<Fleet> {
  if (side.pid === undefined) throw new Error('the boxlab daemon has no pid');
  const before = rss(side.pid);
  const times: number[] = [];
  let at100 = 0;
  for (let i = 0; i < count; i++) {
    times.push(await seconds(() => run('docker', ['run', '-d', IMG, 'sh', '-c', 'sleep 3600'], side.env)));
    if (i + 1 === 100) at100 = rss(side.pid);
  }
  const ps = median(await timed(5, () => run('docker', ['ps', '-q'], side.env)));
  const running = (await run('docker', ['ps', '-q'], side.env)).trim().split('\n').length;
  if (running !== count) throw new Error(`${running} containers running, ${count} started`);
  const after = rss(side.pid);
  const span = Math.min(100, count);
  return {
    count,
    first100: median(times.slice(0, span)),
    last100: median(times.slice(-span)),
    bytesPerContainer: (after - before) / count,
    ...(count > 100 ? { marginalBytes: (after - at100) / (count - 100) } : {}),
    ps,
  };
}

/**
 * The race's tables: both daemons, then the CLI's floor beside them, and what the goal means
 * against it (5x needs boxlab at dockerd/5; when that is under the CLI's own time, no daemon gets there).
 */
function raceReport(box: Race, dk: Race, floor: Floor): string {
  const m = (xs: number[]) => median(xs);
  const rows = [
    { what: `docker run --rm ${IMG} true`, box: m(box.run), dk: m(dk.run), floor: m(floor.run) },
    { what: 'docker exec C true', box: m(box.exec), dk: m(dk.exec), floor: m(floor.exec) },
  ];
  const ratio = (r: (typeof rows)[number]) => r.dk / r.box;
  const verdict = (r: (typeof rows)[number]) => {
    const need = r.dk / 5;
    if (ratio(r) >= 5) return 'MET';
    if (need < r.floor) return `NOT MET, and out of reach: 5x needs ${fmt(need, 3)} s, under the CLI's own ${fmt(r.floor, 3)} s against a daemon that answers at once (best possible ${fmt(r.dk / r.floor)}x)`;
    return `NOT MET: 5x needs ${fmt(need, 3)} s; the CLI's floor is ${fmt(r.floor, 3)} s, so the daemon's share must fall to ${fmt(need - r.floor, 3)} s`;
  };
  return (
    table('5. containers: the docker CLI against boxlab daemon and dockerd, one tmpfs', ['what', 'boxlab s', 'dockerd s', 'dockerd/boxlab'], rows.map((r) => [r.what, fmt(r.box, 3), fmt(r.dk, 3), `${fmt(ratio(r))}x`])) +
    table("5a. the docker CLI's own floor, same rounds (bench/floor.ts: a server answering the same requests at once)", ['what', 'CLI alone s', 'boxlab s', 'daemon share s', 'share %'], [
      ['docker --version (the CLI starting, no request)', fmt(m(floor.version), 3), '', '', ''],
      ...rows.map((r) => [r.what, fmt(r.floor, 3), fmt(r.box, 3), fmt(r.box - r.floor, 3), `${fmt((100 * (r.box - r.floor)) / r.box, 0)}%`]),
    ]) +
    (rows.some((r) => r.box < r.floor) ? "\n  (a negative share is the machine's noise: boxlab answers within the CLI's own floor)" : '') +
    `\n  goal: boxlab >= 5x faster than dockerd:\n    run: ${verdict(rows[0]!)}\n    exec: ${verdict(rows[1]!)}`
  );
}

export async function containersSection(parent: string, rounds: number, count: number, report: Report): Promise<Record<string, unknown>> {
  const progress = (s: string) => process.stderr.write(`  5. containers: ${s}\n`);
  progress('starting both daemons');
  const sides = [await boxlabSide(parent), await dockerSide(parent)];
  const floorServer = await startFloorServer(path.join(parent, 'floor.sock'));
  let races: Awaited<ReturnType<typeof race>>;
  let many: Fleet;
  try {
    progress(`run --rm and exec, ${rounds} rounds`);
    races = await race(sides, { ...process.env, DOCKER_HOST: floorServer.host }, rounds);
    progress(`${count} containers on boxlab`);
    many = await fleet(sides[0]!, count);
  } finally {
    for (const s of sides) await s.stop();
    await floorServer.close();
  }
  const growth = many.last100 / many.first100;
  report.say(
    raceReport(races.sides['boxlab daemon']!, races.sides.dockerd!, races.floor) +
      table(`5b. ${many.count} containers on boxlab daemon (run -d ... sleep 3600)`, ['what', 'figure', 'goal'], [
        ['run -d, median of the first 100 (s)', fmt(many.first100, 3), ''],
        ['run -d, median of the last 100 (s)', fmt(many.last100, 3), ''],
        ['last / first', `${fmt(growth)}x`, `<= 1.5x: ${growth <= 1.5 ? 'MET' : 'NOT MET'}`],
        [`daemon RSS per running container, (RSS with ${many.count} - before) / ${many.count} (KB)`, fmt(many.bytesPerContainer / KB, 1), `< 256: ${many.bytesPerContainer < 256 * KB ? 'MET' : 'NOT MET'}`],
        ...(many.marginalBytes === undefined ? [] : [[`  of which each container after the 100th (RSS slope, KB)`, fmt(many.marginalBytes / KB, 1), '']]),
        [`docker ps -q with ${many.count} running (s)`, fmt(many.ps, 3), ''],
      ]),
  );
  return { races, fleet: many };
}
