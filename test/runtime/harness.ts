/**
 * Runs programs in a model kernel over an in-memory filesystem, as a container's first process:
 * a new PID namespace, stdout and stderr captured, stdin given or empty.
 */
import { Vfs } from '../../src/vfs/vfs.js';
import { Kernel } from '../../src/runtime/kernel.js';
import { vfsPort } from '../../src/runtime/fsport.js';
import { busyboxPrograms } from '../../src/runtime/programs/index.js';
import { CollectSink, bytesSource, nullSource } from '../../src/runtime/stream.js';
import type { Clock } from '../../src/runtime/clock.js';
import type { Proc } from '../../src/runtime/process.js';
import { statusCode } from '../../src/runtime/program.js';

export const ENV = new Map([
  ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
  ['HOME', '/root'],
]);

/** A root filesystem with the directories a busybox image has. */
export function rootfs(files: Record<string, string> = {}, exec: Record<string, string> = {}): Vfs {
  const vfs = new Vfs();
  for (const d of ['/bin', '/etc', '/tmp', '/root', '/usr', '/usr/bin', '/work']) vfs.mkdir(d);
  vfs.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
  vfs.writeFile('/bin/busybox', '', { mode: 0o755 });
  vfs.mkdir('/dev');
  vfs.mknod('/dev/null', 'char', 0o666, 1, 3);
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      if (!vfs.exists(dir)) vfs.mkdir(dir);
    }
    vfs.writeFile(path, content);
  }
  for (const [path, content] of Object.entries(exec)) vfs.writeFile(path, content, { mode: 0o755 });
  return vfs;
}

export interface Started {
  kernel: Kernel;
  proc: Proc;
  stdout: CollectSink;
  stderr: CollectSink;
  done: Promise<{ stdout: string; stderr: string; status: number }>;
}

export async function start(
  argv: string[],
  opts: { vfs?: Vfs; clock?: Clock; stdin?: string; cwd?: string; kernel?: Kernel } = {},
): Promise<Started> {
  const kernel = opts.kernel ?? new Kernel({ programs: busyboxPrograms(), clock: opts.clock, onCrash: (_a, e) => console.error(e) });
  const vfs = opts.vfs ?? rootfs();
  const stdout = new CollectSink();
  const stderr = new CollectSink();
  const proc = await kernel.start({
    ns: kernel.newPidNamespace(),
    applet: argv[0],
    argv,
    env: ENV,
    cwd: opts.cwd ?? '/',
    cred: { uid: 0, gid: 0, groups: [] },
    fs: vfsPort(vfs),
    uts: { hostname: 'boxlab' },
    stdin: opts.stdin === undefined ? nullSource : bytesSource(opts.stdin, 'pipe'),
    stdout,
    stderr,
  });
  const done = proc.exited.then((s) => ({ stdout: stdout.text, stderr: stderr.text, status: statusCode(s) }));
  return { kernel, proc, stdout, stderr, done };
}

/** `sh -c SCRIPT` to its end. */
export async function sh(script: string, opts: { vfs?: Vfs; stdin?: string; cwd?: string } = {}) {
  return (await start(['sh', '-c', script], opts)).done;
}
