/**
 * Making and removing names: mkdir, rmdir, rm, touch (busybox coreutils/*.c, libbb/make_directory.c,
 * libbb/remove_file.c), with busybox's messages (`can't create directory 'X': ...`, `'X' is a directory`).
 */
import { errnoOf } from '../errno.js';
import type { ExitCode } from '../program.js';
import { applet, getopt, joinName, rethrowKilled, tryLstat, type Ctx } from './common.js';
import { parseMode } from './mode.js';
import { parseDate } from './when.js';

/**
 * The file-creation mask. ProcessContext has none yet; Docker starts a container's process with
 * 022 (runc's default), which is what a busybox container shows for `umask`.
 */
export const UMASK = 0o022;

/** bb_make_directory: with -p each missing component, a component's message naming the path up to its slash. */
async function makeDirectory(c: Ctx, path: string, mode: number | null, parents: boolean, verbose: boolean): Promise<boolean> {
  const targets: string[] = [];
  if (parents) {
    for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
      if (path[i - 1] !== '/') targets.push(path.slice(0, i + 1));
    }
    if (!path.endsWith('/')) targets.push(path);
  } else targets.push(path);
  for (let k = 0; k < targets.length; k++) {
    const t = targets[k]!;
    const last = k === targets.length - 1;
    try {
      await c.fs.mkdir(t, 0o777);
      if (verbose) await c.out.write(`created directory: '${t}'\n`);
      if (last && mode !== null) await c.fs.chmod(t, mode);
    } catch (e) {
      rethrowKilled(e);
      if (parents && errnoOf(e) === 'EEXIST') {
        const st = await c.fs.stat(t).catch(() => null);
        if (st?.type === 'dir') continue;
        await c.error(`can't create directory '${t}': Not a directory`);
        return false;
      }
      await c.perror(`can't create directory '${t}'`, e);
      return false;
    }
  }
  return true;
}

export const mkdir = applet('mkdir', async (c) => {
  const a = await getopt(c, 'm:pv');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  let mode: number | null = null;
  const m = a.opts.get('m');
  if (typeof m === 'string') {
    mode = parseMode(m, 0o777, 0);
    if (mode === null) {
      await c.error(`invalid mode '${m}'`);
      return 1;
    }
  }
  let status = 0;
  for (const d of a.args) if (!(await makeDirectory(c, d, mode, a.opts.has('p'), a.opts.has('v')))) status = 1;
  return status;
});

export const rmdir = applet('rmdir', async (c) => {
  const a = await getopt(c, 'pv');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  let status = 0;
  for (let d of a.args) {
    for (;;) {
      try {
        await c.fs.rmdir(d);
      } catch (e) {
        await c.perror(`'${d}'`, e);
        status = 1;
        break;
      }
      if (!a.opts.has('p')) break;
      const stripped = d.replace(/\/+$/, '');
      const i = stripped.lastIndexOf('/');
      if (i <= 0) break;
      d = stripped.slice(0, i);
    }
  }
  return status;
});

interface RmOpts {
  force: boolean;
  recursive: boolean;
  verbose: boolean;
}

/** libbb remove_file: a directory only with -r (its entries first), ENOENT silent under -f. */
async function removeFile(c: Ctx, path: string, o: RmOpts): Promise<boolean> {
  const st = await tryLstat(c, path);
  if (!st) {
    if (o.force) return true;
    await c.error(`can't remove '${path}': No such file or directory`);
    return false;
  }
  if (st.type === 'dir') {
    if (!o.recursive) {
      await c.error(`'${path}' is a directory`);
      return false;
    }
    let ok = true;
    let names: string[] = [];
    try {
      names = await c.fs.readdir(path);
    } catch (e) {
      await c.perror(`can't open '${path}'`, e);
      return false;
    }
    for (const n of names) if (!(await removeFile(c, joinName(path, n), o))) ok = false;
    if (!ok) return false;
    try {
      await c.fs.rmdir(path);
    } catch (e) {
      await c.perror(`can't remove '${path}'`, e);
      return false;
    }
    if (o.verbose) await c.out.write(`removed directory: '${path}'\n`);
    return true;
  }
  try {
    await c.fs.unlink(path);
  } catch (e) {
    await c.perror(`can't remove '${path}'`, e);
    return false;
  }
  if (o.verbose) await c.out.write(`removed '${path}'\n`);
  return true;
}

export const rm = applet('rm', async (c) => {
  const a = await getopt(c, 'fiRrv');
  if (!a) return 1;
  const o: RmOpts = { force: a.opts.has('f'), recursive: a.opts.has('r') || a.opts.has('R'), verbose: a.opts.has('v') };
  if (a.args.length === 0 && !o.force) return c.usage();
  let status = 0;
  for (const p of a.args) {
    const base = p.replace(/\/+$/, '').split('/').pop();
    if (base === '.' || base === '..') {
      await c.error(`can't remove '.' or '..'`);
      status = 1;
      continue;
    }
    if (!(await removeFile(c, p, o))) status = 1;
  }
  return status;
});

async function touchOne(c: Ctx, path: string, when: number, noCreate: boolean): Promise<ExitCode> {
  try {
    await c.fs.utimes(path, when);
    return 0;
  } catch (e) {
    rethrowKilled(e);
    if (errnoOf(e) !== 'ENOENT') {
      await c.perror(path, e);
      return 1;
    }
  }
  if (noCreate) return 0;
  try {
    const w = await c.fs.openWrite(path, { create: true, mode: 0o666 });
    w.close();
    await c.fs.utimes(path, when);
    return 0;
  } catch (e) {
    await c.perror(path, e);
    return 1;
  }
}

export const touch = applet('touch', async (c) => {
  const a = await getopt(c, 'cd:t:r:hamf');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  let when = Math.floor(c.p.sys.now() / 1000);
  const d = a.opts.get('d') ?? a.opts.get('t');
  if (typeof d === 'string') {
    const t = parseDate(d, c.p.sys.now());
    if (t === null) {
      await c.error(`invalid date '${d}'`);
      return 1;
    }
    when = t;
  }
  const ref = a.opts.get('r');
  if (typeof ref === 'string') {
    try {
      when = (await c.fs.stat(ref)).mtime;
    } catch (e) {
      await c.perror(ref, e);
      return 1;
    }
  }
  let status = 0;
  for (const p of a.args) status |= await touchOne(c, p, when, a.opts.has('c'));
  return status;
});
