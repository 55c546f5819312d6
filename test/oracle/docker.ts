/**
 * A small typed client for the run's private Docker Engine (20.10), over the `docker` CLI: the oracle
 * for "boxlab behaves like Docker". The daemon is started once per run by global-setup.ts.
 *
 *   import { dockerd, load, imageInspect } from '../oracle/docker.js';
 *   describeWithTool(dockerd(), 'docker reads boxlab save', () => {
 *     it('loads it as the same image', async () => {
 *       const r = await load(archive);             // { stdout, stderr, code }
 *       expect(r.stdout).toBe('Loaded image: basic:latest\n');
 *       expect((await imageInspect('basic:latest')).RootFS.Layers).toEqual(ours);
 *     });
 *   });
 *
 * All test files share one daemon and run in parallel: tag what you make with `uniqueRef()` and remove
 * only what you made. Loading a corpus archive tags it NAME:latest in every file that loads it, so do not
 * `rmi` corpus tags; compare by image ID instead.
 *
 * The 28.x CLI negotiates API 1.41 with the 20.10 daemon by itself (no DOCKER_API_VERSION needed).
 * DOCKER_BUILDKIT=0 selects the classic builder (intermediate containers, as oracles.md describes).
 * create and run pass `--pull never` (never look a name up in a registry) and run `--network none`.
 */
import { execFile } from 'node:child_process';
import { inject } from 'vitest';
import { requirement, type Requirement } from '../support/requirements.js';

export interface Result {
  stdout: string;
  stderr: string;
  /** The exit status; non-zero is returned, not thrown, so tests can assert on Docker's refusals. */
  code: number;
}

/** The fields of `docker image inspect` that tests compare (20.10 prints more). */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: Record<string, unknown> | null;
  Architecture: string;
  Os: string;
  Size: number;
  RootFS: { Type: string; Layers: string[] };
  GraphDriver: { Name: string; Data: Record<string, string> };
  Metadata: { LastTagTime: string };
  [key: string]: unknown;
}

function provided(): { host: string | null; reason: string } {
  try {
    return inject('docker') ?? { host: null, reason: 'no daemon was provided' };
  } catch {
    return { host: null, reason: 'not under vitest with test/oracle/global-setup.ts' };
  }
}

/** The requirement for tests that ask Docker: the run's private daemon is up. */
export function dockerd(): Requirement {
  const { host, reason } = provided();
  return requirement('dockerd', host !== null, reason, 'apt-get install docker.io, and run the tests as root');
}

/** DOCKER_HOST of the run's daemon; throws when there is none. */
export function dockerHost(): string {
  const { host, reason } = provided();
  if (host === null) throw new Error(`no private dockerd: ${reason}`);
  return host;
}

/** Run `docker ARGS...` against the private daemon. Never throws for a non-zero exit. */
export function docker(args: readonly string[], opts: { input?: string | Buffer; cwd?: string } = {}): Promise<Result> {
  const env = { ...process.env, DOCKER_HOST: dockerHost(), DOCKER_BUILDKIT: '0', DOCKER_CLI_HINTS: 'false' };
  return new Promise((resolve, reject) => {
    const child = execFile(
      'docker',
      [...args],
      { env, cwd: opts.cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        if (code === null) reject(err ?? new Error('docker: no exit code'));
        else resolve({ stdout, stderr, code });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like docker(), but a non-zero exit throws with Docker's stderr. Returns trimmed stdout. */
export async function dockerOk(args: readonly string[], opts: { input?: string | Buffer; cwd?: string } = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

let counter = 0;
/** A reference no other test file uses: `boxlab-test-PREFIX-PID-N:latest`. */
export function uniqueRef(prefix = 'img'): string {
  return `boxlab-test-${prefix}-${process.pid}-${++counter}:latest`;
}

// Images

export const load = (archive: string): Promise<Result> => docker(['load', '-i', archive]);
export const save = (refs: string | readonly string[], out: string): Promise<Result> =>
  docker(['save', '-o', out, ...(typeof refs === 'string' ? [refs] : refs)]);
export const tag = (src: string, dst: string): Promise<string> => dockerOk(['tag', src, dst]);
export const rmi = (refs: string | readonly string[], opts: { force?: boolean } = {}): Promise<Result> =>
  docker(['rmi', ...(opts.force ? ['--force'] : []), ...(typeof refs === 'string' ? [refs] : refs)]);

export async function imageInspect(ref: string): Promise<ImageInspect> {
  const [img] = JSON.parse(await dockerOk(['image', 'inspect', ref])) as ImageInspect[];
  if (img === undefined) throw new Error(`docker image inspect ${ref}: empty answer`);
  return img;
}

/** `docker build` with the classic builder; `file` is a Dockerfile path relative to the context. */
export const build = (contextDir: string, ref: string, opts: { file?: string } = {}): Promise<Result> =>
  docker(['build', '--network', 'none', '-t', ref, ...(opts.file ? ['-f', opts.file] : []), contextDir]);

/** `docker commit`; `changes` are Dockerfile instructions (`--change`). */
export const commit = (container: string, ref: string, opts: { changes?: readonly string[] } = {}): Promise<Result> =>
  docker(['commit', ...(opts.changes ?? []).flatMap((c) => ['--change', c]), container, ref]);

// Containers

/** `docker create --pull never IMAGE [CMD...]`; returns the container ID. */
export const create = (image: string, cmd: readonly string[] = [], opts: { name?: string } = {}): Promise<string> =>
  dockerOk(['create', '--pull', 'never', '--network', 'none', ...(opts.name ? ['--name', opts.name] : []), image, ...cmd]);

/** `docker start -a CONTAINER`: runs it to the end, with its output. */
export const start = (container: string): Promise<Result> => docker(['start', '-a', container]);

/** `docker export CONTAINER -o OUT`: the container's merged view as a tar (with the init layer's files). */
export const exportContainer = (container: string, out: string): Promise<Result> =>
  docker(['export', '-o', out, container]);

export const rm = (container: string): Promise<Result> => docker(['rm', '-f', container]);

/** `docker run --pull never --network none [--rm] IMAGE CMD...`. */
export const run = (image: string, cmd: readonly string[], opts: { rm?: boolean; name?: string } = {}): Promise<Result> =>
  docker([
    'run', '--pull', 'never', '--network', 'none',
    ...(opts.rm === false ? [] : ['--rm']),
    ...(opts.name ? ['--name', opts.name] : []),
    image, ...cmd,
  ]);

/** `docker diff CONTAINER` lines, sorted (Docker prints them in no fixed order). */
export async function diff(container: string): Promise<string[]> {
  return (await dockerOk(['diff', container])).split('\n').filter(Boolean).sort();
}
