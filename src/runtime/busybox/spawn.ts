/**
 * Running another program and waiting for it, as find -exec and xargs do (busybox spawn_and_wait):
 * a name with a slash is that file; otherwise the first executable file of that name on PATH in the
 * process's filesystem, else the busybox applet of that name (FEATURE_PREFER_APPLETS).
 */
import { errnoOf } from '../errno.js';
import type { ExitCode } from '../program.js';
import { joinName, rethrowKilled, type Ctx } from './common.js';

/** Runs a command and waits for it: its exit status, or 127 when there is nothing to run (message printed). */
export async function runCommand(c: Ctx, argv: string[]): Promise<ExitCode> {
  const name = argv[0]!;
  await c.out.flush(); // what this program printed goes before what the child prints
  let pid: number;
  try {
    pid = await c.p.sys.spawn(name.includes('/') ? { path: name, argv } : await resolveOnPath(c, name, argv));
  } catch (e) {
    rethrowKilled(e);
    await c.perror(name, e);
    return errnoOf(e) === 'EACCES' ? 126 : 127;
  }
  const { status } = await c.p.sys.wait(pid);
  return 'code' in status ? status.code : 128 + status.signal;
}

async function resolveOnPath(c: Ctx, name: string, argv: string[]) {
  for (const dir of (c.p.env.get('PATH') ?? '/bin:/usr/bin').split(':')) {
    const path = joinName(dir || '.', name);
    try {
      const st = await c.fs.stat(path);
      if (st.type === 'file' && st.mode & 0o111) return { path, argv };
    } catch (e) {
      rethrowKilled(e);
    }
  }
  return { applet: name, argv };
}

