/**
 * Section 4 of `npm run bench`: the same docker CLI against `boxlab daemon` and a fresh private dockerd,
 * both with their data on one tmpfs: `docker images` with 10 images, and `docker load -i` of the
 * realistic image (each round loads into an empty store: the image is pruned between rounds, and
 * one unmeasured load per side warms each daemon first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { dockerArchive, layerTar } from '../test/helpers/archive.js';
import { CLI, median, run, seconds } from './measure.js';
import { fmt, table, type Report } from './report.js';

export interface Side {
  name: string;
  env: NodeJS.ProcessEnv;
  /** The daemon's process id (its memory is read from /proc). */
  pid?: number;
  stop: () => Promise<void>;
}

export async function boxlabSide(parent: string): Promise<Side> {
  const sock = path.join(parent, 'bx.sock');
  const child = spawn(process.execPath, [CLI, 'daemon', '--root', path.join(parent, 'bx-root'), '-H', `unix://${sock}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('API listen on')) resolve();
    });
    child.on('exit', (c) => reject(new Error(`boxlab daemon exited ${c}: ${log}`)));
  });
  let stopping = false;
  child.on('exit', (code, sig) => {
    // a daemon that dies mid-bench fails the next request; its last words say why
    if (!stopping) process.stderr.write(`boxlab daemon exited (${code ?? sig}) during the bench:\n${log.slice(-4000)}\n`);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { name: 'boxlab daemon', env: { ...process.env, DOCKER_HOST: `unix://${sock}` }, pid: child.pid, stop };
}

export async function dockerSide(parent: string): Promise<Side> {
  const { startDockerd, stopDockerd } = await import('../test/oracle/daemon.js');
  const d = await startDockerd(parent);
  return { name: 'dockerd', env: { ...process.env, DOCKER_HOST: d.host }, stop: () => stopDockerd(d) };
}

/** Ten small distinct images, one layer each, as docker archives in `dir`. */
async function tenImages(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < 10; i++) {
    const file = path.join(dir, `small-${i}.tar`);
    fs.writeFileSync(file, await dockerArchive([await layerTar([{ name: `f${i}`, content: `image ${i}\n`.repeat(100) }])], `bench/small${i}:1`));
    files.push(file);
  }
  return files;
}

/** Runs on `parent` (a tmpfs); `archive` is the realistic image's docker archive there. */
export async function daemonSection(parent: string, archive: string, rounds: number, report: Report): Promise<Record<string, unknown>> {
  if (!fs.existsSync(CLI)) {
    report.skip('4. daemons', 'dist/ is not built (npm run build)');
    return {};
  }
  const smalls = await tenImages(parent);
  const sides = [await boxlabSide(parent), await dockerSide(parent)];
  const runs: Record<string, { images: number[]; load: number[] }> = {};
  try {
    for (const s of sides) {
      for (const f of smalls) await run('docker', ['load', '-q', '-i', f], s.env);
      runs[s.name] = { images: [], load: [] };
    }
    const removeLoaded = async (s: Side) => {
      const loaded = (await run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], s.env)).split('\n').filter((n) => n && !n.startsWith('bench/small'));
      if (loaded.length) await run('docker', ['rmi', '-f', ...loaded], s.env);
      // what a side leaves behind (dirty pages of a 220 MB layer, a daemon's deferred removals) is
      // not the next side's cost: flush it and let the machine settle before the next measurement
      await run('sync', []);
      await new Promise((r) => setTimeout(r, 1000));
    };
    // one unmeasured load per side first: the measured rounds are a warm daemon's (JIT, caches)
    for (const s of sides) {
      await run('docker', ['load', '-q', '-i', archive], s.env);
      await removeLoaded(s);
    }
    for (let r = 0; r < rounds; r++)
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        const t = runs[s.name]!;
        for (let k = 0; k < 5; k++) t.images.push(await seconds(() => run('docker', ['images'], s.env)));
        t.load.push(await seconds(() => run('docker', ['load', '-q', '-i', archive], s.env)));
        await removeLoaded(s);
      }
  } finally {
    for (const s of sides) await s.stop();
  }
  const m = (xs: number[]) => median(xs);
  const box = runs['boxlab daemon']!;
  const dk = runs.dockerd!;
  report.say(
    table('4. the docker CLI against boxlab daemon and dockerd, one tmpfs', ['what', 'boxlab s', 'dockerd s', 'dockerd/boxlab'], [
      ['docker images (10 images)', fmt(m(box.images), 3), fmt(m(dk.images), 3), `${fmt(m(dk.images) / m(box.images))}x`],
      ['docker load -i (the realistic image)', fmt(m(box.load), 3), fmt(m(dk.load), 3), `${fmt(m(dk.load) / m(box.load))}x`],
    ]) + `\n  goal for load: boxlab >= 4x faster: ${m(dk.load) / m(box.load) >= 4 ? 'MET' : 'NOT MET'}`,
  );
  return { runs, medians: { boxlab: { images: m(box.images), load: m(box.load) }, dockerd: { images: m(dk.images), load: m(dk.load) } } };
}
