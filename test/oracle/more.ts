/**
 * What the differential tests need beyond docker.ts: a daemon of their own (so that Docker has to
 * read every layer of an archive: it skips layers it already holds), a base image made from
 * nothing but busybox (there is no registry), and the comparison of a `docker export` with a
 * `boxlab export` once Docker's init layer is taken out.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import type { Engine } from '../../src/engine/engine.js';
import { writeMembers, type Member } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';
import { startDockerd, stopDockerd, stopDockerdDetached, type Daemon } from './daemon.js';
import type { Result } from './docker.js';

/** A docker CLI bound to a daemon of the caller's own, started and stopped by the caller. */
export interface OwnDocker {
  daemon: Daemon;
  docker(args: readonly string[]): Promise<Result>;
  stop(): Promise<void>;
}

/** Runs `docker ARGS` against DOCKER_HOST=host; a non-zero exit is returned, not thrown. */
export function dockerAt(host: string, args: readonly string[]): Promise<Result> {
  const env = { ...process.env, DOCKER_HOST: host, DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
  return new Promise((resolve, reject) => {
    execFile('docker', [...args], { env, encoding: 'utf8', maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      if (code === null) reject(err ?? new Error('docker: no exit code'));
      else resolve({ stdout, stderr, code });
    });
  });
}

/**
 * A second private daemon with an empty layer store (about a second to start). Stop it in afterAll;
 * a worker that exits first leaves it to a detached reaper, as global-setup.ts does for the run's.
 */
export async function ownDocker(): Promise<OwnDocker> {
  const daemon = await startDockerd();
  const onExit = () => stopDockerdDetached(daemon);
  process.once('exit', onExit);
  return {
    daemon,
    docker: (args) => dockerAt(daemon.host, args),
    stop: async () => {
      process.off('exit', onExit);
      await stopDockerd(daemon);
    },
  };
}

/** The applets the scenarios' RUN lines use, as symlinks to /bin/busybox. */
const APPLETS = ['sh', 'rm', 'mkdir', 'rmdir', 'ln', 'chmod', 'chown', 'cp', 'echo', 'mv', 'touch', 'cat', 'ls', 'printf', 'true', 'truncate'];

/**
 * A base image's root filesystem as a tar, for `docker import`: Debian busybox-static's
 * /bin/busybox and its applets as symlinks, /tmp, and a few plain files the scenarios change.
 */
export async function busyboxRootfs(busybox = '/bin/busybox'): Promise<Buffer> {
  const mtime = new Date(1_700_000_000_000);
  const dir = (name: string, mode = 0o755): Member => ({ header: { name, type: 'directory', mode, mtime }, data: Buffer.alloc(0) });
  const file = (name: string, data: Buffer, mode = 0o644): Member => ({ header: { name, mode, mtime }, data });
  return writeMembers([
    dir('bin'),
    file('bin/busybox', fs.readFileSync(busybox), 0o755),
    ...APPLETS.map((a): Member => ({ header: { name: `bin/${a}`, type: 'symlink', linkname: 'busybox', mode: 0o777, mtime }, data: Buffer.alloc(0) })),
    dir('tmp', 0o1777),
    dir('base'),
    file('base/motd', Buffer.from('from the base image\n')),
  ]);
}

/**
 * What Docker's init layer adds to a created container (oracles.md): files it writes over whatever
 * the image had, and directories it makes only where the image has none.
 */
export const INIT_FILES = ['/.dockerenv', '/dev/console', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab'];
export const INIT_DIRS = ['/dev', '/dev/pts', '/dev/shm', '/proc', '/sys', '/etc'];

const pathOf = (line: string) => line.split(' ')[3]!;

/**
 * The two listings to compare: Docker's export less its init layer, and boxlab's. The init layer's
 * files go from both sides (Docker's replace the image's); its directories go from Docker's side
 * only where boxlab's export has no such directory (an image's own /etc stays in the comparison).
 * `initSeen` is what was taken out of Docker's side, to check the init layer is what oracles.md says.
 */
export function withoutInitLayer(dockerLines: string[], boxlabLines: string[]): { docker: string[]; boxlab: string[]; initSeen: string[] } {
  const ours = new Set(boxlabLines.map(pathOf));
  const drop = (p: string, side: 'docker' | 'boxlab') =>
    INIT_FILES.includes(p) || (side === 'docker' && INIT_DIRS.includes(p) && !ours.has(p));
  return {
    docker: dockerLines.filter((l) => !drop(pathOf(l), 'docker')),
    boxlab: boxlabLines.filter((l) => !drop(pathOf(l), 'boxlab')),
    initSeen: dockerLines.filter((l) => drop(pathOf(l), 'docker')).map(pathOf).sort(),
  };
}

/** `boxlab export` of an image as corpus-listing lines. */
export async function boxlabListing(engine: Engine, ref: string): Promise<string[]> {
  const pt = new PassThrough();
  const listing = listingOfTar(pt);
  await engine.images.export(ref, pt);
  return listing;
}

/** Docker's messages name its own temp dir (`/tmp/dk.X/root/tmp/docker-import-N/`): show `<tmp>/` instead. */
export function normalizeDocker(stderr: string): string {
  return stderr.trim().replace(/\/\S*?\/docker-import-\d+\//g, '<tmp>/');
}
