/**
 * `npm run bench`: load throughput and memory, every figure measured in this one run.
 *
 *   npm run bench                       # all sections, tables
 *   npm run -s bench -- --json          # one JSON document on stdout (tables go to stderr; -s keeps npm's banner off)
 *   npm run bench -- --only throughput,zeros,peer --rounds 5 --zeros-mib 1024
 *
 * 1. throughput: a generated ~150 MB image (gzip'd OCI): `boxlab load` (in process, and the built CLI
 *    when dist/ exists) against the floor (streaming gunzip + sha256 of the same layer blobs, in
 *    process) and `tar -xzf` of the blobs; on the disk and on a tmpfs (root only).
 * 2. zeros: a layer holding a 1 GiB file of zeros loads and exports in a child whose peak RSS must
 *    stay under 400 MB.
 * 4. daemon: the docker CLI against `boxlab daemon` and a private dockerd on one tmpfs: `docker images`
 *    with 10 images and `docker load -i` of the realistic image (bench/daemon.ts).
 * 5. containers: `docker run --rm IMG true` and `docker exec C true` against both daemons, then N
 *    (`--containers`, 1,000) detached containers on boxlab: scaling, memory, `docker ps` (bench/containers.ts).
 * 6. volumes: through `docker exec` in a named volume, a bind mount and a tmpfs of one running container,
 *    write and read `--volume-files` (10,000) small files and one 100 MB file, against both daemons
 *    (bench/volumes.ts).
 * 3. peer: a node_modules image (scripts/make-bench-image.ts) on one tmpfs: `boxlab load` of its OCI
 *    archive against the floor, and of its docker archive against `docker load` on a fresh private
 *    daemon, and against a bare `cp` of the archive.
 *
 * Loads are durable as timed: boxlab fsyncs and renames every blob into place and verifies every
 * digest. Each figure is the median of `--rounds` rounds; a round runs every measurement once, in
 * a rotating order. MB/s count the layers' uncompressed bytes, the same count for every row, so
 * the ratios are ratios of times.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { syntheticImage, zerosImage, type CachedImage } from './images.js';
import {
  bareLoad,
  CLI,
  childRss,
  cliLoad,
  cliStartup,
  copyArchive,
  engineLoad,
  extractBlobs,
  floorLoad,
  freshDir,
  layerBlobs,
  median,
  repeat,
  run,
  seconds,
  tarExtract,
} from './measure.js';
import { fmt, mbps, Report, table } from './report.js';

interface Options {
  json: boolean;
  rounds: number;
  only: Set<string>;
  zerosBytes: number;
  containers: number;
  volumeFiles: number;
}

const RSS_LIMIT_BYTES = 400e6;

function parseArgs(argv: string[]): Options {
  const opts: Options = { json: false, rounds: 3, only: new Set(['throughput', 'zeros', 'peer', 'daemon', 'containers', 'volumes']), zerosBytes: 1 << 30, containers: 1000, volumeFiles: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') opts.json = true;
    else if (a === '--rounds') opts.rounds = Math.max(1, Number(argv[++i]));
    else if (a === '--only') opts.only = new Set(argv[++i]!.split(','));
    else if (a === '--zeros-mib') opts.zerosBytes = Number(argv[++i]) * (1 << 20);
    else if (a === '--containers') opts.containers = Math.max(1, Number(argv[++i]));
    else if (a === '--volume-files') opts.volumeFiles = Math.max(1, Number(argv[++i]));
    else throw new Error(`unknown argument ${a} (see bench/load.ts)`);
  }
  return opts;
}

const isRoot = () => process.getuid?.() === 0;
const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Mounts a tmpfs for `fn` (root only), unmounting it after; returns undefined, with the reason, if it cannot. */
async function withTmpfs<T>(size: string, fn: (dir: string) => Promise<T>): Promise<{ value?: T; why?: string }> {
  if (!isRoot()) return { why: 'mounting a tmpfs needs root' };
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'boxlab-bench-tmpfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  } catch (err) {
    await fsp.rmdir(dir);
    return { why: `mount -t tmpfs failed: ${(err as Error).message}` };
  }
  try {
    return { value: await fn(dir) };
  } finally {
    spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
    await fsp.rmdir(dir).catch(() => {});
  }
}

/** Puts a copy of `file` in `dir` (so that source and store are on one filesystem). */
async function copyInto(file: string, dir: string): Promise<string> {
  const dest = path.join(dir, path.basename(file));
  await fsp.copyFile(file, dest);
  return dest;
}

interface Figures {
  seconds: Record<string, number>;
  runs: Record<string, number[]>;
  mbps: Record<string, number>;
  ratios: Record<string, number>;
}

function figures(runs: Record<string, number[]>, bytes: number): Figures {
  const s = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]));
  return {
    seconds: s,
    runs,
    mbps: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, mbps(bytes, v)])),
    ratios: {},
  };
}

function rows(f: Figures, labels: Record<string, string>): string[][] {
  return Object.entries(labels)
    .filter(([k]) => f.seconds[k] !== undefined)
    // start-up moves no layer bytes: no MB/s
    .map(([k, label]) => [label, fmt(f.seconds[k], 3), k === 'startup' ? '-' : fmt(f.mbps[k], 1), f.runs[k]!.map((x) => fmt(x, 2)).join(' ')]);
}

const HEAD = ['measurement', 'median s', 'MB/s', 'runs (s)'];

// ---- 1. throughput ---------------------------------------------------------------------------

async function throughputOn(img: CachedImage, where: string, parent: string, opts: Options, report: Report): Promise<Figures> {
  const work = await freshDir(parent, 'bench-');
  try {
    const archive = await copyInto(img.oci, work.dir);
    const blobs = await layerBlobs(archive);
    const blobFiles = await extractBlobs(archive, blobs, work.dir);
    const diffIds = await floorLoad(archive, blobs); // also warms the page cache: every measurement reads a cached archive
    const measurements: Record<string, () => Promise<number>> = {
      floor: () => seconds(() => floorLoad(archive, blobs)),
      engine: () => engineLoad(archive, work.dir),
      tar: () => tarExtract(blobFiles, work.dir),
      bare: () => bareLoad(archive, blobs, work.dir, diffIds),
    };
    if (fs.existsSync(CLI)) {
      measurements.cli = () => cliLoad(archive, work.dir);
      measurements.startup = () => cliStartup(work.dir);
    }
    const f = figures(await repeat(opts.rounds, measurements), img.facts.uncompressedBytes);
    f.ratios['engine/floor'] = f.seconds.engine! / f.seconds.floor!;
    f.ratios['engine/tar'] = f.seconds.engine! / f.seconds.tar!;
    f.ratios['bare/floor'] = f.seconds.bare! / f.seconds.floor!;
    if (f.seconds.cli !== undefined) {
      f.ratios['cli/floor'] = f.seconds.cli / f.seconds.floor!;
      f.ratios['cli/bare'] = f.seconds.cli / f.seconds.bare!;
      f.ratios['cli/tar'] = f.seconds.cli / f.seconds.tar!;
    }
    report.say(
      table(`1. load throughput, ${where} (${parent})`, HEAD, [
        ...rows(f, { floor: 'floor: gunzip + sha256, in process', engine: 'boxlab load (Engine.load, in process)', cli: 'boxlab load -i (CLI, dist/)', startup: '  of which CLI start-up (boxlab images)', bare: 'reference: a bare node process, same durable work', tar: 'tar -xzf (no fsync)' }),
      ]) +
        '\n' +
        Object.entries(f.ratios)
          .map(([k, v]) => `  ${k.padEnd(12)} ${fmt(v)}x${k === 'engine/floor' || k === 'cli/floor' ? `   (goal <= 1.50: ${v <= 1.5 ? 'MET' : 'NOT MET'})` : ''}`)
          .join('\n'),
    );
    return f;
  } finally {
    await work.remove();
  }
}

async function throughput(opts: Options, report: Report): Promise<void> {
  const img = await syntheticImage();
  const facts = img.facts;
  report.say(
    `\n1. image ${facts.name}: ${facts.layers} layers, ${facts.files} files, ${fmt(facts.uncompressedBytes / 1e6, 1)} MB uncompressed, ` +
      `${fmt(facts.compressedBytes / 1e6, 1)} MB gzip (cached in ${img.dir})`,
  );
  if (!fs.existsSync(CLI)) report.skip('1. CLI load', `${CLI} not built (run npm run build)`);
  const out: Record<string, unknown> = { image: facts };
  out.disk = await throughputOn(img, 'disk', os.tmpdir(), opts, report);
  const t = await withTmpfs('2g', (dir) => throughputOn(img, 'tmpfs', dir, opts, report));
  if (t.why) report.skip('1. throughput on tmpfs', t.why);
  else out.tmpfs = t.value;
  report.doc.throughput = out;
}

// ---- 2. zeros --------------------------------------------------------------------------------

async function zerosSection(opts: Options, report: Report): Promise<void> {
  const img = await zerosImage(opts.zerosBytes);
  const baseline = await childRss(os.tmpdir());
  const r = await childRss(os.tmpdir(), img.oci);
  const pass = r.maxRssBytes < RSS_LIMIT_BYTES && r.exportedBytes >= opts.zerosBytes;
  report.say(
    table(
      `2. a ${fmt(opts.zerosBytes / 2 ** 30, 2)} GiB file of zeros (gzip ${fmt(img.facts.compressedBytes / 1e6, 2)} MB): load + export in a child`,
      ['child', 'peak RSS MB', 'load s', 'export s', 'exported MB'],
      [
        ['baseline (start, open a store)', fmt(baseline.maxRssBytes / 1e6, 1), '-', '-', '-'],
        ['load + export', fmt(r.maxRssBytes / 1e6, 1), fmt(r.loadMs / 1000), fmt(r.exportMs / 1000), fmt(r.exportedBytes / 1e6, 1)],
      ],
    ) + `\n  peak RSS ${fmt(r.maxRssBytes / 1e6, 1)} MB against the limit of ${RSS_LIMIT_BYTES / 1e6} MB: ${pass ? 'PASS' : 'FAIL'}`,
  );
  report.doc.zeros = { image: img.facts, baseline, run: r, limitBytes: RSS_LIMIT_BYTES, pass };
}

// ---- 3. peer ---------------------------------------------------------------------------------

/** The peer daemon's storage driver and version, read from the first one started. */
let dockerInfo: string | undefined;

/** `docker load -i ARCHIVE` on a fresh private daemon with its data root under `parent`; no archive: only start it. */
async function dockerLoad(archive: string | null, parent: string, startDockerd: DaemonApi['startDockerd'], stopDockerd: DaemonApi['stopDockerd']): Promise<number> {
  const d = await startDockerd(parent);
  try {
    const env = { ...process.env, DOCKER_HOST: d.host };
    dockerInfo ??= (await run('docker', ['info', '--format', 'Engine {{.ServerVersion}}, {{.Driver}} on {{.DockerRootDir}}'], env)).trim();
    if (archive === null) return 0;
    return await seconds(() => run('docker', ['load', '-q', '-i', archive], env));
  } finally {
    await stopDockerd(d);
  }
}

type DaemonApi = typeof import('../test/oracle/daemon.js');

async function peerOn(parent: string, where: string, opts: Options, report: Report): Promise<Record<string, unknown>> {
  const { makeBenchImage } = await import('../scripts/make-bench-image.js');
  const img = await makeBenchImage({ log: (s) => report.say(s) });
  const facts = img.facts;
  report.say(
    `\n3. image ${facts.name}: ${facts.files} files, ${fmt(facts.uncompressedBytes / 1e6, 1)} MB uncompressed, ${fmt(facts.compressedBytes / 1e6, 1)} MB gzip; ` +
      `docker archive ${fmt(facts.dockerArchiveBytes! / 1e6, 1)} MB (cached in ${img.dir})`,
  );
  const work = await freshDir(parent, 'bench-');
  try {
    const oci = await copyInto(img.oci, work.dir);
    const docker = await copyInto(img.docker!, work.dir);
    const ociBlobs = await layerBlobs(oci);
    const dockerBlobs = await layerBlobs(docker);
    const ociDiffIds = await floorLoad(oci, ociBlobs);
    const out: Record<string, unknown> = { image: facts, where };

    // OCI archive against the floor
    const ociRuns: Record<string, () => Promise<number>> = {
      floor: () => seconds(() => floorLoad(oci, ociBlobs)),
      engine: () => engineLoad(oci, work.dir),
      bare: () => bareLoad(oci, ociBlobs, work.dir, ociDiffIds),
    };
    if (fs.existsSync(CLI)) {
      ociRuns.cli = () => cliLoad(oci, work.dir);
      ociRuns.startup = () => cliStartup(work.dir);
    }
    const fo = figures(await repeat(opts.rounds, ociRuns), facts.uncompressedBytes);
    fo.ratios['engine/floor'] = fo.seconds.engine! / fo.seconds.floor!;
    fo.ratios['bare/floor'] = fo.seconds.bare! / fo.seconds.floor!;
    if (fo.seconds.cli !== undefined) {
      fo.ratios['cli/floor'] = fo.seconds.cli / fo.seconds.floor!;
      fo.ratios['cli/bare'] = fo.seconds.cli / fo.seconds.bare!;
    }
    report.say(
      table(
        `3a. OCI archive (gzip), ${where}`,
        HEAD,
        rows(fo, { floor: 'floor: gunzip + sha256, in process', engine: 'boxlab load (Engine.load)', cli: 'boxlab load -i (CLI)', startup: '  of which CLI start-up (boxlab images)', bare: 'reference: a bare node process, same durable work' }),
      ) +
        '\n' +
        Object.entries(fo.ratios)
          .map(([k, v]) => `  ${k.padEnd(12)} ${fmt(v)}x${k === 'engine/floor' || k === 'cli/floor' ? `   (goal <= 1.50: ${v <= 1.5 ? 'MET' : 'NOT MET'})` : ''}`)
          .join('\n'),
    );
    out.oci = fo;

    // docker archive against docker load and cp
    let daemon: DaemonApi | undefined;
    if (!onPath('dockerd')) report.skip('3b. docker load', 'dockerd not on PATH (apt-get install docker.io)');
    else if (!isRoot()) report.skip('3b. docker load', 'a private dockerd needs root');
    else {
      // a daemon that cannot start here (no overlay on this filesystem, say) skips the race, not the bench
      const api = await import('../test/oracle/daemon.js');
      try {
        await dockerLoad(null, work.dir, api.startDockerd, api.stopDockerd);
        daemon = api;
      } catch (err) {
        report.skip('3b. docker load', `the private dockerd failed: ${(err as Error).message}`);
      }
    }
    const dockerRuns: Record<string, () => Promise<number>> = {
      floor: () => seconds(() => floorLoad(docker, dockerBlobs)),
      engine: () => engineLoad(docker, work.dir),
      cp: () => copyArchive(docker, work.dir),
    };
    if (fs.existsSync(CLI)) dockerRuns.cli = () => cliLoad(docker, work.dir);
    if (daemon) dockerRuns.docker = () => dockerLoad(docker, work.dir, daemon.startDockerd, daemon.stopDockerd);
    const fd = figures(await repeat(opts.rounds, dockerRuns), facts.uncompressedBytes);
    const boxlab = fd.seconds.cli ?? fd.seconds.engine!;
    const boxlabName = fd.seconds.cli !== undefined ? 'cli' : 'engine';
    if (fd.seconds.docker !== undefined) {
      fd.ratios[`docker/${boxlabName}`] = fd.seconds.docker / boxlab;
      fd.ratios['docker/engine'] = fd.seconds.docker / fd.seconds.engine!;
      fd.ratios['docker/cp'] = fd.seconds.docker / fd.seconds.cp!;
    }
    fd.ratios[`${boxlabName}/floor`] = boxlab / fd.seconds.floor!;
    fd.ratios[`${boxlabName}/cp`] = boxlab / fd.seconds.cp!;
    report.say(
      table(`3b. docker archive (plain layer tar), ${where}`, HEAD, rows(fd, {
        floor: 'floor: sha256 of the layer tar, in process',
        engine: 'boxlab load (Engine.load)',
        cli: 'boxlab load -i (CLI)',
        docker: 'docker load -i (a fresh daemon each run)',
        cp: 'cp of the archive',
      })) +
        '\n' +
        Object.entries(fd.ratios)
          .map(([k, v]) => {
            const goal = k === `docker/${boxlabName}` ? `   (boxlab ${fmt(v)}x faster than docker load; goal >= 4: ${v >= 4 ? 'MET' : 'NOT MET'})` : k === 'docker/cp' ? '   (how much faster a bare copy is than docker load)' : '';
            return `  ${k.padEnd(14)} ${fmt(v)}x${goal}`;
          })
          .join('\n') +
        (dockerInfo ? `\n  peer: ${dockerInfo}` : ''),
    );
    out.docker = { ...fd, ...(dockerInfo ? { peer: dockerInfo } : {}) };
    return out;
  } finally {
    await work.remove();
  }
}

async function peer(opts: Options, report: Report): Promise<void> {
  const t = await withTmpfs('4g', (dir) => peerOn(dir, 'one tmpfs', opts, report));
  if (t.why) {
    report.skip('3. peer race on a tmpfs', `${t.why}; racing on the disk instead, where docker load swings tenfold`);
    report.doc.peer = await peerOn(os.tmpdir(), 'disk', opts, report);
  } else report.doc.peer = t.value;
}

async function daemons(opts: Options, report: Report): Promise<void> {
  if (!onPath('dockerd') || !isRoot()) return report.skip('4. daemons', 'needs dockerd and root');
  const t = await withTmpfs('4g', async (dir) => {
    const { makeBenchImage } = await import('../scripts/make-bench-image.js');
    const img = await makeBenchImage({ log: (s) => report.say(s) });
    const { daemonSection } = await import('./daemon.js');
    return daemonSection(dir, await copyInto(img.docker!, dir), opts.rounds, report);
  });
  if (t.why) report.skip('4. daemons', t.why);
  else report.doc.daemon = t.value;
}

async function containers(opts: Options, report: Report): Promise<void> {
  if (!onPath('dockerd') || !isRoot()) return report.skip('5. containers', 'needs dockerd and root');
  if (!fs.existsSync(CLI)) return report.skip('5. containers', 'dist/ is not built (npm run build)');
  const t = await withTmpfs('2g', async (dir) => {
    const { containersSection } = await import('./containers.js');
    return containersSection(dir, opts.rounds, opts.containers, report);
  });
  if (t.why) report.skip('5. containers', t.why);
  else report.doc.containers = t.value;
}

async function volumes(opts: Options, report: Report): Promise<void> {
  if (!onPath('dockerd') || !isRoot()) return report.skip('6. volumes', 'needs dockerd and root');
  if (!fs.existsSync(CLI)) return report.skip('6. volumes', 'dist/ is not built (npm run build)');
  // two sides, each with at most one 100 MB file in each of three mounts at a time: 2g is ample
  const t = await withTmpfs('2g', async (dir) => {
    const { volumesSection } = await import('./volumes.js');
    return volumesSection(dir, opts.rounds, opts.volumeFiles, report);
  });
  if (t.why) report.skip('6. volumes', t.why);
  else report.doc.volumes = t.value;
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const report = new Report(opts.json);
  const load = os.loadavg();
  report.say(
    `boxlab load bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${load.map((l) => l.toFixed(1)).join(' ')}, ` +
      `${opts.rounds} rounds, medians quoted`,
  );
  report.doc.machine = { node: process.version, cpus: os.cpus().length, loadavgAtStart: load, rounds: opts.rounds };
  if (opts.only.has('throughput')) await throughput(opts, report);
  if (opts.only.has('zeros')) await zerosSection(opts, report);
  if (opts.only.has('peer')) await peer(opts, report);
  if (opts.only.has('daemon')) await daemons(opts, report);
  if (opts.only.has('containers')) await containers(opts, report);
  if (opts.only.has('volumes')) await volumes(opts, report);
  report.doc.machine = { ...(report.doc.machine as object), loadavgAtEnd: os.loadavg() };
  report.doc.skipped = report.skipped;
  if (opts.json) process.stdout.write(JSON.stringify(report.doc, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
