/**
 * `boxlab daemon` as a separate process (the CLI through tsx) on a store and socket of its own, and
 * the real docker CLI against it: for tests that stop, kill and restart the daemon. Each file calls
 * cleanupBoxes() after each test (daemons killed, directories removed).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export interface Box {
  root: string;
  sock: string;
  daemon?: ChildProcess;
}

const cleanups: (() => void)[] = [];

export function cleanupBoxes(): void {
  for (const c of cleanups.splice(0).reverse()) c();
}

export function newBox(prefix: string): Box {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { root: join(dir, 'root'), sock: join(dir, 'docker.sock') };
}

/** Starts the daemon; resolves once it logs `API listen on SOCK`. */
export async function startDaemon(box: Box): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'daemon', '--root', box.root, '-H', `unix://${box.sock}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes(`API listen on ${box.sock}`)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`daemon exited ${code}: ${log}`)));
  });
  child.on('exit', () => {});
  cleanups.push(() => void child.kill('SIGKILL'));
  box.daemon = child;
}

/** Sends `signal` (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for the daemon to exit. */
export async function stopDaemon(box: Box, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const d = box.daemon!;
  if (d.exitCode !== null || d.signalCode !== null) return;
  const gone = new Promise((r) => d.once('exit', r));
  d.kill(signal);
  await gone;
}

/** `docker ARGS` against the box's daemon; `latin1` keeps binary output (a tar) byte for byte. */
export function docker(box: Box, args: string[], opts: { latin1?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      args,
      { env: { ...process.env, DOCKER_HOST: `unix://${box.sock}` }, maxBuffer: 64 << 20, encoding: opts.latin1 ? 'latin1' : 'utf8' },
      (e, out, err) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

/** `docker ARGS`, its stdout; a failure throws with docker's stderr. */
export async function ok(box: Box, args: string[], opts: { latin1?: boolean } = {}): Promise<string> {
  const r = await docker(box, args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.code}: ${r.err}`);
  return r.out;
}
