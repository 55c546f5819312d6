/**
 * Section 6 of `npm run bench`: volumes, the same docker CLI against `boxlab daemon` and a fresh
 * private dockerd (bridge=none), both with their data on one tmpfs, both holding the dk-build image.
 *
 * One running container per side has three mounts: a named volume at /vol, a bind mount of a host
 * directory (under the same tmpfs) at /bind and a --tmpfs at /tmpfs. Through `docker exec ... sh -c`
 * in each: write `--volume-files N` (10,000 by default) small files, read them all back, write one
 * 100 MB file, read it back. The time is the whole `docker exec` round trip, CLI start-up included on
 * both sides, so a row is what a user waits for. Between rounds the files are removed (not timed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boxlabSide, dockerSide, type Side } from './daemon.js';
import { median, REPO, run, seconds } from './measure.js';
import { fmt, table, type Report } from './report.js';

const IMAGE_TAR = path.join(REPO, 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const IMG = 'dk-build:latest';
const C = 'bench-volumes';
const BIG_BYTES = 100 * 1024 * 1024;
const MOUNTS = [
  { kind: 'named volume', at: '/vol' },
  { kind: 'bind mount', at: '/bind' },
  { kind: 'tmpfs', at: '/tmpfs' },
] as const;

/** The four shell scripts run in each mount, in order; each is one `docker exec`. */
function steps(dir: string, files: number): { what: string; sh: string }[] {
  return [
    { what: `write ${files} small files`, sh: `mkdir ${dir}/s && cd ${dir}/s && i=0; while [ $i -lt ${files} ]; do echo $i > f$i; i=$((i+1)); done` },
    { what: `read ${files} small files`, sh: `cat ${dir}/s/* > /dev/null` },
    { what: 'write one 100 MB file', sh: `head -c ${BIG_BYTES} /dev/zero > ${dir}/big` },
    { what: 'read one 100 MB file', sh: `cat ${dir}/big > /dev/null` },
  ];
}

/** Checks what the steps left (so a row timed something real), then removes it. */
async function checkAndClean(side: Side, dir: string, files: number): Promise<void> {
  // wc reads the 100 MB file through a chunk at a time on both sides (busybox/chunks.ts in boxlab)
  const out = (await run('docker', ['exec', C, 'sh', '-c', `ls ${dir}/s | wc -l; wc -c < ${dir}/big`], side.env)).trim().split(/\s+/);
  if (Number(out[0]) !== files || Number(out[1]) !== BIG_BYTES) throw new Error(`${side.name}: ${dir} holds ${out[0]} files and a big file of ${out[1]} bytes`);
  await run('docker', ['exec', C, 'sh', '-c', `rm -rf ${dir}/s ${dir}/big`], side.env);
}

async function startContainer(side: Side, parent: string): Promise<void> {
  const host = path.join(parent, `bind-${side.name.replace(/\W+/g, '-')}`);
  fs.mkdirSync(host, { recursive: true });
  await run('docker', ['load', '-q', '-i', IMAGE_TAR], side.env);
  await run('docker', ['volume', 'create', 'bench-vol'], side.env);
  const mounts = ['-v', 'bench-vol:/vol', '-v', `${host}:/bind`, '--tmpfs', '/tmpfs'];
  await run('docker', ['run', '-d', '--name', C, ...mounts, IMG, 'sh', '-c', 'sleep 3600'], side.env);
}

/**
 * A step that takes longer than this is cut (the CLI is killed) and shown as a timeout: measured, an
 * in-memory tmpfs write of 100 MB on boxlab ran for minutes, and one row must not eat the bench.
 */
const STEP_LIMIT_S = 120;

/** One `docker exec C sh -c SCRIPT`: its seconds, or Infinity when cut at STEP_LIMIT_S. */
async function timedExec(side: Side, sh: string): Promise<number> {
  try {
    return await seconds(() => run('timeout', ['-s', 'KILL', String(STEP_LIMIT_S), 'docker', 'exec', C, 'sh', '-c', sh], side.env));
  } catch (err) {
    if (/exit (137|null)/.test((err as Error).message)) return Infinity;
    throw err;
  }
}

/** times[side][row]: every round's seconds for each (mount, step) row. */
type Times = Record<string, number[][]>;

export async function volumesSection(parent: string, rounds: number, files: number, report: Report): Promise<Record<string, unknown>> {
  const progress = (s: string) => process.stderr.write(`  6. volumes: ${s}\n`);
  progress('starting both daemons');
  // dockerd first in the first round: a boxlab step cut at the limit may still run in its daemon for a while
  const sides = [await dockerSide(parent), await boxlabSide(parent)];
  const rows = MOUNTS.flatMap((m) => steps(m.at, files).map((s) => ({ ...s, mount: m })));
  const times: Times = {};
  try {
    for (const s of sides) {
      await startContainer(s, parent);
      times[s.name] = rows.map(() => []);
    }
    for (let r = 0; r < rounds; r++)
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        progress(`round ${r + 1}, ${s.name}`);
        for (const m of MOUNTS) {
          let done = true;
          for (const st of steps(m.at, files)) {
            if (process.env.BENCH_VERBOSE) progress(`  ${m.kind}: ${st.what}`);
            const i = rows.findIndex((x) => x.mount === m && x.what === st.what);
            const t = await timedExec(s, st.sh);
            times[s.name]![i]!.push(t);
            if (t === Infinity) {
              progress(`${s.name}, ${m.kind}: ${st.what} took over ${STEP_LIMIT_S} s; the rest of this mount is not measured`);
              done = false;
              break;
            }
          }
          if (done) await checkAndClean(s, m.at, files);
        }
      }
    for (const s of sides) await run('docker', ['rm', '-f', '-v', C], s.env);
  } finally {
    for (const s of sides) await s.stop();
  }
  // a row cut short has no time at all on that side in that round (NaN median when never measured)
  const med = (xs: number[]) => (xs.length ? median(xs) : NaN);
  const secs = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? 'not run' : x === Infinity ? `>${STEP_LIMIT_S}` : fmt(x, 3));
  const ratio = (b: number | undefined, d: number | undefined) => (b === undefined || d === undefined || !Number.isFinite(b) || !Number.isFinite(d) ? '-' : `${fmt(d / b)}x`);
  const box = times['boxlab daemon']!.map(med);
  const dk = times.dockerd!.map(med);
  report.say(
    table(`6. volumes: docker exec ... sh -c in each mount, boxlab daemon and dockerd, one tmpfs`, ['mount', 'what', 'boxlab s', 'dockerd s', 'dockerd/boxlab'],
      rows.map((row, i) => [row.mount.kind, row.what, secs(box[i]), secs(dk[i]), ratio(box[i], dk[i])]),
    ),
  );
  return {
    files,
    bigBytes: BIG_BYTES,
    rows: rows.map((row, i) => ({ mount: row.mount.kind, what: row.what, boxlab: times['boxlab daemon']![i], dockerd: times.dockerd![i] })),
  };
}
