/**
 * A private real Docker Engine (Debian's docker.io, 20.10) for one vitest run: the Node form of
 * /work/shared/corpus/dockerd.sh. Its own --data-root, --exec-root and socket live in one temp dir
 * under /tmp (short paths: unix sockets are limited to 108 bytes); stopping kills it by its pid and
 * removes that dir.
 *
 * Flags beyond dockerd.sh's: --bridge=none --iptables=false --ip6tables=false. No test needs a
 * network yet, and so the daemon creates no docker0 bridge and no firewall rules on the host, several
 * private daemons (other engineers' runs) do not fight over docker0, and containers have only their own
 * loopback: no traffic can leave the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { dirname, join } from 'node:path';

export interface Daemon {
  /** The temp dir holding root/, exec/, docker.sock, dockerd.pid, dockerd.log. */
  readonly dir: string;
  /** DOCKER_HOST for the client: unix://DIR/docker.sock */
  readonly host: string;
  readonly pid: number;
}

export const DOCKERD_FLAGS = ['--bridge=none', '--iptables=false', '--ip6tables=false'];

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lastLines(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Start a private dockerd; resolves once it answers /_ping on its unix socket, or throws with the tail
 * of its log. `extraArgs` adds listeners or options (`-H tcp://127.0.0.1:PORT --tlsverify ...`); the
 * unix socket stays, for the readiness ping and for stopDockerd.
 */
/**
 * The lock every private dockerd of this project takes (../shared/scenarios/README.md). A daemon
 * started with --bridge=none deletes the host's docker0 as it starts (measured: libnetwork removes
 * the default bridge it is told not to have), which breaks a daemon with a bridge running at that
 * moment; so even these take the lock while they start.
 */
export const DOCKERD_LOCK = '/tmp/boxlab-dockerd.lock';

/** Runs `fn` holding DOCKERD_LOCK (flock(1) in a child that lets go when told). */
export async function withDockerdLock<T>(fn: () => Promise<T>): Promise<T> {
  const release = join(mkdtempSync(join(tmpdir(), 'bx-lock-')), 'release');
  const holder = spawn('flock', [DOCKERD_LOCK, 'sh', '-c', 'echo locked; while [ ! -e "$1" ]; do sleep 0.1; done', 'sh', release], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const gone = new Promise<void>((r) => holder.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`flock ${DOCKERD_LOCK} exited ${code}`)));
  });
  try {
    return await fn();
  } finally {
    writeFileSync(release, '');
    await gone;
    rmSync(dirname(release), { recursive: true, force: true });
  }
}

export async function startDockerd(parent = '/tmp', timeoutMs = 60_000, extraArgs: readonly string[] = []): Promise<Daemon> {
  return withDockerdLock(() => startDockerdUnlocked(parent, timeoutMs, extraArgs));
}

async function startDockerdUnlocked(parent: string, timeoutMs: number, extraArgs: readonly string[]): Promise<Daemon> {
  const dir = mkdtempSync(join(parent, 'dk.'));
  const sock = join(dir, 'docker.sock');
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root', join(dir, 'root'),
      '--exec-root', join(dir, 'exec'),
      '-H', `unix://${sock}`,
      '--pidfile', join(dir, 'dockerd.pid'),
      ...DOCKERD_FLAGS,
      ...extraArgs,
    ],
    // Detached and unref'd: it is stopped by pid in teardown, not by this process's exit. containerd
    // writes a goroutine dump to TMPDIR when dockerd finds it slow to answer (a loaded machine): into
    // the dir removed at stop, not the test run's TMPDIR, whose leftovers fail the run
    { detached: true, stdio: ['ignore', log, log], env: { ...process.env, TMPDIR: dir } },
  );
  closeSync(log);
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const pid = child.pid ?? 0;
  const daemon: Daemon = { dir, host: `unix://${sock}`, pid };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && exited === null) {
    if (await ping(sock)) return daemon;
    await sleep(250);
  }
  const why = `dockerd did not start (${exited === null ? 'timed out' : `exit ${exited}`}): ${lastLines(join(dir, 'dockerd.log'), 3)}`;
  await stopDockerd(daemon);
  throw new Error(why);
}

function alive(pid: number): boolean {
  return pid > 0 && existsSync(`/proc/${pid}`);
}

/** Mount points at or under dir, deepest first (overlay2 mounts of containers still running). */
function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return points.sort((a, b) => b.length - a.length);
}

/** Remove its containers, stop it by pid (TERM, then KILL after 20 s), unmount what is left, remove dir. */
export async function stopDockerd(d: Daemon): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: d.host };
  if (alive(d.pid)) {
    const ids = spawnSync('docker', ['ps', '-aq'], { env, encoding: 'utf8', timeout: 20_000 }).stdout ?? '';
    const list = ids.split('\n').filter(Boolean);
    if (list.length) spawnSync('docker', ['rm', '-f', ...list], { env, stdio: 'ignore', timeout: 60_000 });
    try {
      process.kill(d.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 80 && alive(d.pid); i++) await sleep(250);
    if (alive(d.pid)) {
      try {
        process.kill(d.pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
      for (let i = 0; i < 20 && alive(d.pid); i++) await sleep(250);
    }
  }
  for (const m of mountsUnder(d.dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
  // Retries: containerd, dockerd's child, may still be closing files under exec/ for a moment.
  rmSync(d.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/**
 * For a process that is exiting before it could await stopDockerd (vitest interrupted, say): a
 * detached shell outlives us, stops the daemon (TERM, then KILL after 20 s), unmounts what is left
 * and removes its dir. Synchronous, so it can run in an 'exit' handler.
 */
export function stopDockerdDetached(d: Daemon): void {
  const script = [
    'kill -TERM "$1" 2>/dev/null; i=0',
    'while kill -0 "$1" 2>/dev/null; do i=$((i+1)); [ $i -eq 100 ] && kill -KILL "$1"; sleep 0.2; done',
    'awk \'{print $5}\' /proc/self/mountinfo | grep -F "$2/" | sort -r | xargs -r -n1 umount -l',
    'rm -rf "$2"',
  ].join('\n');
  spawn('sh', ['-c', script, 'sh', String(d.pid), d.dir], { detached: true, stdio: 'ignore' }).unref();
}
