/**
 * chmod, chown, chgrp (busybox coreutils/chmod.c, chown.c, chgrp.c): -R walks without following
 * symlinks found inside (chmod skips them: a symlink has no mode of its own), messages as
 * `chmod: invalid mode 'X'`, `chown: unknown user X`, `chown: unknown user/group X:Y`.
 */
import type { FileStat } from '../program.js';
import { applet, getopt, joinName, modeString, rethrowKilled, type Ctx } from './common.js';
import { UMASK } from './files.js';
import { parseMode } from './mode.js';
import { Names } from './names.js';

/** Visits `path` then, under -R, each entry below it (depth first, directories before their entries). */
async function walk(
  c: Ctx,
  path: string,
  recursive: boolean,
  follow: boolean,
  visit: (path: string, st: FileStat) => Promise<boolean>,
): Promise<boolean> {
  let st: FileStat;
  try {
    st = follow ? await c.fs.stat(path) : await c.fs.lstat(path);
  } catch (e) {
    await c.perror(path, e);
    return false;
  }
  let ok = await visit(path, st);
  if (!recursive || st.type !== 'dir') return ok;
  let names: string[];
  try {
    names = await c.fs.readdir(path);
  } catch (e) {
    await c.perror(`can't open '${path}'`, e);
    return false;
  }
  for (const n of names) if (!(await walk(c, joinName(path, n), true, false, visit))) ok = false;
  return ok;
}

export const chmod = applet('chmod', async (c) => {
  // A leading `-rwx`-style mode is a mode, not options (busybox chmod.c scans argv for it first).
  const argv = c.p.argv.slice(1);
  const modeIdx = argv.findIndex((s, i) => (i === 0 || argv[i - 1] !== '--') && /^-[rwxXstugoa]/.test(s) && !/^-[Rcvf]+$/.test(s));
  let modeArg: string | undefined;
  if (modeIdx >= 0) modeArg = argv.splice(modeIdx, 1)[0];
  const a = await getopt(c, 'Rcvf', argv);
  if (!a) return 1;
  if (modeArg === undefined) modeArg = a.args.shift();
  if (modeArg === undefined || a.args.length === 0) return c.usage();
  const spec = modeArg;
  if (parseMode(spec, 0, UMASK) === null) {
    await c.error(`invalid mode '${spec}'`);
    return 1;
  }
  const quiet = a.opts.has('f');
  let status = 0;
  for (const f of a.args) {
    const ok = await walk(c, f, a.opts.has('R'), true, async (path, st) => {
      if (st.type === 'symlink') return true;
      const next = parseMode(spec, st.mode, UMASK, st.type === 'dir')!;
      try {
        await c.fs.chmod(path, next);
      } catch (e) {
        if (!quiet) await c.perror(path, e);
        return false;
      }
      if (a.opts.has('v') || (a.opts.has('c') && next !== st.mode)) {
        // busybox says "changed to" even when the mode was already that.
        await c.out.write(`mode of '${path}' changed to ${next.toString(8).padStart(4, '0')} (${modeString({ ...st, mode: next }).slice(1)})\n`);
      }
      return true;
    });
    if (!ok) status = 1;
  }
  return status;
});

async function resolveId(name: string, byName: (n: string) => Promise<{ id: number } | undefined>): Promise<number | null> {
  const a = await byName(name);
  if (a) return a.id;
  return /^\d+$/.test(name) ? Number(name) : null;
}

/** chown and chgrp share the walk; `owner` is the USER[:GROUP] or GROUP operand already parsed. */
async function chownAll(c: Ctx, uid: number | null, gid: number | null, files: string[], o: Map<string, string | true>): Promise<number> {
  const recursive = o.has('R');
  const noDeref = o.has('h') || (recursive && !o.has('L') && !o.has('H'));
  let status = 0;
  for (const f of files) {
    const ok = await walk(c, f, recursive, !o.has('h'), async (path, st) => {
      try {
        await c.fs.chown(path, uid ?? st.uid, gid ?? st.gid, { follow: !(noDeref && st.type === 'symlink') && !o.has('h') });
      } catch (e) {
        rethrowKilled(e);
        if (!o.has('f')) await c.perror(path, e);
        return false;
      }
      return true;
    });
    if (!ok) status = 1;
  }
  return status;
}

export const chown = applet('chown', async (c) => {
  const a = await getopt(c, 'RhLHPcvf');
  if (!a) return 1;
  if (a.args.length < 2) return c.usage();
  const spec = a.args.shift()!;
  const names = new Names(c);
  const sep = spec.search(/[:.]/);
  const user = sep < 0 ? spec : spec.slice(0, sep);
  const group = sep < 0 ? null : spec.slice(sep + 1);
  let uid: number | null = null;
  let gid: number | null = null;
  if (user !== '') {
    uid = await resolveId(user, (n) => names.user(n));
    if (uid === null) {
      await c.error(`unknown user ${group === null ? user : spec}`);
      return 1;
    }
    // `user:` means the user's login group.
    if (group === '') gid = (await names.user(user))?.gid ?? null;
  }
  if (group) {
    gid = await resolveId(group, (n) => names.groupByName(n));
    if (gid === null) {
      await c.error(`unknown user/group ${spec}`);
      return 1;
    }
  }
  return chownAll(c, uid, gid, a.args, a.opts);
});

export const chgrp = applet('chgrp', async (c) => {
  const a = await getopt(c, 'RhLHPcvf');
  if (!a) return 1;
  if (a.args.length < 2) return c.usage();
  const group = a.args.shift()!;
  const gid = await resolveId(group, (n) => new Names(c).groupByName(n));
  if (gid === null) {
    await c.error(`unknown group ${group}`);
    return 1;
  }
  return chownAll(c, null, gid, a.args, a.opts);
});
