/**
 * Lab 05: a container is a process tree in namespaces, and PID 1 is special.
 *
 * Three containers of one image show what `docker stop` and `docker kill` do and why: a shell that
 * runs one command execs it, so `sleep` itself is PID 1; the kernel gives PID 1 of a namespace no
 * default action for a signal it has no handler for, so SIGTERM does nothing and `stop` waits out
 * its grace period before SIGKILL (exit 137); a shell with a `trap` handles SIGTERM at once. Then two
 * containers side by side: each sees only its own processes (its PID namespace), its own files (its
 * mount namespace over its own upper layer) and its own hostname (its UTS namespace); `docker top`
 * shows the same processes with the host's PIDs.
 *
 *   npx tsx labs/05-containers-and-namespaces.ts
 */
import * as path from 'node:path';
import pc from 'picocolors';
import type { Engine } from '../src/engine/engine.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

const IMAGE = 'boxlab/alpine:3.20';
/** The lab's grace period for `stop` (Docker's default is 10 s: the lab does not wait that long). */
const GRACE_S = 2;

/** `docker exec C sh -c SCRIPT`: its output, and its exit code. */
async function exec(engine: Engine, c: string, script: string): Promise<{ out: string; code: number }> {
  const id = engine.execs.create(c, { Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  let out = '';
  const code = await engine.execs.start(id, (_s, data) => (out += Buffer.from(data).toString()));
  return { out, code };
}

async function runDetached(engine: Engine, name: string, cmd: string[], extra: Record<string, unknown> = {}): Promise<void> {
  await engine.containers.create({ Image: IMAGE, Cmd: cmd, ...extra }, name);
  await engine.containers.start(name);
}

/** `docker stop -t GRACE NAME`, timed; the exit code it left. */
async function timedStop(engine: Engine, name: string): Promise<{ seconds: number; code: number }> {
  const t0 = Date.now();
  await engine.containers.stop(name, GRACE_S);
  return { seconds: (Date.now() - t0) / 1000, code: engine.containers.get(name).state.ExitCode };
}

async function pidOne(engine: Engine, out: LabOutput): Promise<void> {
  heading(out, 'PID 1 and signals: what `docker stop` does');
  await runDetached(engine, 'plain', ['sh', '-c', 'sleep 3600']);
  await runDetached(engine, 'trapped', ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; sleep 3600 & wait']);
  for (const name of ['plain', 'trapped']) {
    const ps = await exec(engine, name, 'ps -o pid,comm');
    const c = engine.containers.get(name);
    line(out, pc.bold(`${name}: ${[c.path, ...c.args].map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`));
    line(out, ps.out.trimEnd().replace(/^/gm, '  '));
  }
  note(out, "`sh -c 'sleep 3600'` ran one command, so busybox's sh exec'd it: PID 1 is sleep itself.\nThe trapped shell stays PID 1 and runs sleep as its child.");
  const kill = await engine.containers.kill('plain', 'TERM').then(() => engine.containers.get('plain').state.Running);
  line(out, `docker kill -s TERM plain  ->  still running: ${kill}`);
  note(out, 'The kernel does not apply a default action to PID 1 of a namespace for a signal PID 1 has no handler\nfor (only SIGKILL and SIGSTOP from the parent namespace get through): sleep ignores SIGTERM.');
  for (const name of ['plain', 'trapped']) {
    const r = await timedStop(engine, name);
    line(out, `docker stop -t ${GRACE_S} ${name.padEnd(7)}  ->  took ${r.seconds.toFixed(1)} s, exit code ${r.code}`);
  }
  note(
    out,
    `stop sends the image's StopSignal (SIGTERM), waits the grace period (-t, 10 s by default, ${GRACE_S} s here), then\n` +
      'SIGKILL: 128 + 9 = 137. The trap ran at once and chose exit 0. This is why a shell as PID 1 that runs\n' +
      'a service in the foreground makes every `docker stop` take 10 s: use `exec` in the script, or a trap.',
  );
}

/** The eight namespaces and what each one isolates, as a table. */
function drawNamespaces(out: LabOutput): void {
  const rows: [string, string, string][] = [
    ['mnt', 'the mount table: the overlay as /, /proc, /dev, binds', 'new'],
    ['pid', 'process IDs: the command is PID 1, sees only its tree', 'new (--pid=host shares)'],
    ['uts', 'hostname and domain name: the short container ID', 'new (--uts=host shares)'],
    ['ipc', 'System V IPC, POSIX message queues, /dev/shm', 'new (--ipc=container:X shares)'],
    ['net', 'interfaces, addresses, routes, ports, iptables', 'new (--network=host shares)'],
    ['cgroup', 'the view of /sys/fs/cgroup (limits live in cgroups)', 'host on cgroup v1 (here), new on v2'],
    ['user', 'uid/gid mapping: root inside is root outside here', 'shared (userns-remap off)'],
    ['time', 'CLOCK_MONOTONIC/BOOTTIME offsets (Linux 5.6)', 'shared (runc 1.0 does not make one)'],
  ];
  line(out, pc.dim('  namespace  isolates                                                docker run gives'));
  for (const [ns, what, how] of rows) line(out, `  ${pc.bold(ns.padEnd(9))}  ${what.padEnd(54)}  ${how}`);
}

async function sideBySide(engine: Engine, out: LabOutput): Promise<void> {
  heading(out, 'Two containers side by side: each one sees its own world');
  await runDetached(engine, 'left', ['sh', '-c', 'sleep 3600']);
  await runDetached(engine, 'right', ['sh', '-c', 'sleep 3600']);
  await exec(engine, 'left', 'echo written by left > /tmp/mine');
  for (const name of ['left', 'right']) {
    const seen = await exec(engine, name, 'echo "hostname: $(hostname)"; cat /tmp/mine 2>&1; ps -o pid,comm');
    line(out, pc.bold(`${name}:`));
    line(out, seen.out.trimEnd().replace(/^/gm, '  '));
  }
  const top = engine.containers.task('left')?.processes() ?? [];
  line(out, `docker top left (host PIDs): ${top.map((p) => `${p.pid} ${p.argv.join(' ')}`).join(', ')}`);
  note(
    out,
    'Same image, same paths: left wrote /tmp/mine into its own upper layer, which right cannot see (its mount\n' +
      "namespace has a root of its own). Each is PID 1 in its own PID namespace; the host numbers them in its\n" +
      "own: `docker top` shows those. The hostname is each container's short ID (UTS namespace).",
  );
  drawNamespaces(out);
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const lab = await labEngine();
  try {
    await lab.engine.init();
    await lab.engine.images.load(path.join(IMAGES_DIR, 'alpine.oci.tar'));
    await pidOne(lab.engine, out);
    await sideBySide(lab.engine, out);
  } finally {
    await lab.engine.containers.shutdown();
    lab.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
