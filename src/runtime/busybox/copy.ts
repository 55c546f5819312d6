/**
 * cp, mv, ln (busybox coreutils/cp.c, mv.c, ln.c over libbb/copy_file.c): a last operand that is a
 * directory receives each source under its base name; cp -r copies symlinks as symlinks (-d is the
 * default with -R), -p/-a keep mode, owner and mtime; mv renames, and copies then removes across
 * filesystems (EXDEV).
 */
import { errnoOf } from '../errno.js';
import type { FileStat, WriteStream } from '../program.js';
import { applet, baseName, getopt, joinName, rethrowKilled, tryLstat, tryStat, type Ctx } from './common.js';
import { UMASK } from './files.js';

interface CopyOpts {
  recursive: boolean;
  /** Copy symlinks as links (-d, -P, -a, implied by -R unless -L). */
  noDeref: boolean;
  /** -H: follow symlinks named on the command line. */
  followTop?: boolean;
  preserve: boolean;
  force: boolean;
  noClobber: boolean;
  verbose: boolean;
  /**
   * Files copied so far by dev:ino, and where: copy_file's ino/dev hashtable (FEATURE_PRESERVE_HARDLINKS,
   * on in Debian's build). Without dereferencing, a second name of a copied inode becomes a hardlink.
   */
  links: Map<string, string>;
}

async function preserve(c: Ctx, dst: string, st: FileStat): Promise<void> {
  try {
    await c.fs.chown(dst, st.uid, st.gid, { follow: st.type !== 'symlink' });
    if (st.type !== 'symlink') {
      await c.fs.chmod(dst, st.mode);
      await c.fs.utimes(dst, st.mtime);
    }
  } catch (e) {
    await c.perror(`can't preserve permissions of '${dst}'`, e);
  }
}

/** Opens the copy's destination; with -f an existing one that cannot be opened is unlinked first. */
async function openDest(c: Ctx, dst: string, st: FileStat, o: CopyOpts, exists: boolean): Promise<WriteStream> {
  try {
    return await c.fs.openWrite(dst, { create: true, truncate: true, mode: st.mode & 0o777 });
  } catch (e) {
    rethrowKilled(e);
    if (!o.force || !exists) throw e;
    await c.fs.unlink(dst);
    return c.fs.openWrite(dst, { create: true, truncate: true, mode: st.mode & 0o777 });
  }
}

async function copyRegular(c: Ctx, src: string, dst: string, st: FileStat, o: CopyOpts): Promise<boolean> {
  const existing = await tryStat(c, dst);
  if (existing && existing.ino === st.ino) {
    await c.error(`'${src}' and '${dst}' are the same file`);
    return false;
  }
  if (existing && o.noClobber) return true;
  if (o.noDeref) {
    const key = `${st.dev}:${st.ino}`;
    const first = o.links.get(key);
    if (first !== undefined) return linkAgain(c, first, dst);
    o.links.set(key, dst);
  }
  let r;
  try {
    r = await c.fs.openRead(src);
  } catch (e) {
    await c.perror(`can't open '${src}'`, e);
    return false;
  }
  try {
    let w;
    try {
      w = await openDest(c, dst, st, o, existing !== null);
    } catch (e) {
      await c.perror(`can't create '${dst}'`, e);
      return false;
    }
    // chunk by chunk, as libbb's bb_copyfd_eof (and its words for a failed read or write): a 100 MB
    // file never sits whole in memory
    try {
      for (;;) {
        let b;
        try {
          b = await r.read();
        } catch (e) {
          await c.perror('read error', e);
          return false;
        }
        if (b === null) break;
        try {
          await w.write(b);
        } catch (e) {
          await c.perror('write error', e);
          return false;
        }
      }
    } finally {
      w.close();
    }
  } finally {
    r.close();
  }
  if (o.preserve) await preserve(c, dst, st);
  return true;
}

/** A second name of a copied inode: link(2) to the first copy, once more after removing the destination. */
async function linkAgain(c: Ctx, first: string, dst: string): Promise<boolean> {
  try {
    await c.fs.link(first, dst);
    return true;
  } catch (e) {
    rethrowKilled(e);
  }
  try {
    await c.fs.unlink(dst).catch(rethrowKilled);
    await c.fs.link(first, dst);
    return true;
  } catch (e) {
    await c.perror(`can't create link '${dst}'`, e);
    return false;
  }
}

async function copyDir(c: Ctx, src: string, dst: string, st: FileStat, o: CopyOpts): Promise<boolean> {
  if (!o.recursive) {
    await c.error(`omitting directory '${src}'`);
    return false;
  }
  const existing = await tryStat(c, dst);
  if (!existing) {
    try {
      await c.fs.mkdir(dst, (st.mode & 0o777) | 0o700);
    } catch (e) {
      await c.perror(`can't create directory '${dst}'`, e);
      return false;
    }
  } else if (existing.type !== 'dir') {
    await c.error(`target '${dst}' is not a directory`);
    return false;
  }
  const made = await c.fs.stat(dst);
  let names: string[];
  try {
    names = await c.fs.readdir(src);
  } catch (e) {
    await c.perror(`can't open '${src}'`, e);
    return false;
  }
  let ok = true;
  for (const n of names) {
    const from = joinName(src, n);
    const sub = await tryLstat(c, from);
    // The directory made for the copy sits inside the source: copying it would never end.
    if (sub && sub.ino === made.ino && !existing) {
      await c.error(`recursion detected, omitting directory '${from}'`);
      ok = false;
      continue;
    }
    if (!(await copyAny(c, from, joinName(dst, n), o, false))) ok = false;
  }
  if (!existing) {
    try {
      await c.fs.chmod(dst, o.preserve ? st.mode : st.mode & ~UMASK & 0o7777);
    } catch (e) {
      rethrowKilled(e);
    }
  }
  if (o.preserve) await preserve(c, dst, st);
  return ok;
}

/** libbb copy_file: one source to one destination path. */
async function copyAny(c: Ctx, src: string, dst: string, o: CopyOpts, top: boolean): Promise<boolean> {
  let st: FileStat;
  try {
    st = o.noDeref && !(top && o.followTop) ? await c.fs.lstat(src) : await c.fs.stat(src);
  } catch (e) {
    await c.perror(`can't stat '${src}'`, e);
    return false;
  }
  if (o.verbose) await c.out.write(`'${src}' -> '${dst}'\n`);
  if (st.type === 'dir') return copyDir(c, src, dst, st, o);
  if (st.type === 'symlink') {
    const target = await c.fs.readlink(src);
    if (await tryLstat(c, dst)) {
      if (o.noClobber) return true;
      await c.fs.unlink(dst).catch(rethrowKilled);
    }
    try {
      await c.fs.symlink(target, dst);
    } catch (e) {
      await c.perror(`can't create symlink '${dst}' to '${target}'`, e);
      return false;
    }
    if (o.preserve) await preserve(c, dst, st);
    return true;
  }
  if (st.type !== 'file') {
    await c.error(`'${src}': the model copies files, directories and symlinks only`);
    return false;
  }
  return copyRegular(c, src, dst, st, o);
}

/** The destination of each source: DEST itself, or DEST/base when DEST is a directory (or there are several sources). */
async function destinations(c: Ctx, args: string[], noTargetDir: boolean): Promise<Array<[string, string]> | null> {
  const dest = args[args.length - 1]!;
  const sources = args.slice(0, -1);
  const st = noTargetDir ? null : await tryStat(c, dest);
  if (sources.length === 1 && st?.type !== 'dir') return [[sources[0]!, dest]];
  return sources.map((s) => [s, joinName(dest, baseName(s))]);
}

export const cp = applet('cp', async (c) => {
  const a = await getopt(c, 'arPLHpfinlsTudRvt:');
  if (!a) return 1;
  const f = (ch: string) => a.opts.has(ch);
  const t = a.opts.get('t');
  const args = typeof t === 'string' ? [...a.args, t] : a.args;
  if (args.length < 2) return c.usage();
  const recursive = f('r') || f('R') || f('a');
  const o: CopyOpts = {
    recursive,
    noDeref: f('d') || f('P') || f('a') || (recursive && !f('L')),
    followTop: f('H'),
    preserve: f('p') || f('a'),
    force: f('f'),
    noClobber: f('n'),
    verbose: f('v'),
    links: new Map(),
  };
  const pairs = await destinations(c, args, f('T'));
  if (!pairs) return 1;
  let status = 0;
  for (const [s, d] of pairs) if (!(await copyAny(c, s, d, o, true))) status = 1;
  return status;
});

async function removeTree(c: Ctx, path: string): Promise<void> {
  const st = await c.fs.lstat(path);
  if (st.type === 'dir') {
    for (const n of await c.fs.readdir(path)) await removeTree(c, joinName(path, n));
    await c.fs.rmdir(path);
  } else await c.fs.unlink(path);
}

export const mv = applet('mv', async (c) => {
  const a = await getopt(c, 'finTvt:');
  if (!a) return 1;
  const t = a.opts.get('t');
  const args = typeof t === 'string' ? [...a.args, t] : a.args;
  if (args.length < 2) return c.usage();
  const pairs = await destinations(c, args, a.opts.has('T'));
  if (!pairs) return 1;
  let status = 0;
  for (const [s, d] of pairs) {
    if (a.opts.has('n') && (await tryLstat(c, d))) continue;
    try {
      await c.fs.rename(s, d);
      if (a.opts.has('v')) await c.out.write(`'${s}' -> '${d}'\n`);
      continue;
    } catch (e) {
      rethrowKilled(e);
      if (errnoOf(e) !== 'EXDEV') {
        await c.perror(`can't rename '${s}'`, e);
        status = 1;
        continue;
      }
    }
    // Across filesystems: copy everything with its attributes, then remove the source (mv.c).
    const o: CopyOpts = { recursive: true, noDeref: true, preserve: true, force: true, noClobber: false, verbose: false, links: new Map() };
    if (!(await copyAny(c, s, d, o, true))) {
      status = 1;
      continue;
    }
    try {
      await removeTree(c, s);
    } catch (e) {
      await c.perror(`can't remove '${s}'`, e);
      status = 1;
    }
  }
  return status;
});

export const ln = applet('ln', async (c) => {
  const a = await getopt(c, 'sfnbS:vT');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  const args = a.args.length === 1 ? [a.args[0]!, baseName(a.args[0]!)] : a.args;
  const last = args[args.length - 1]!;
  const lastSt = a.opts.has('n') || a.opts.has('T') ? await tryLstat(c, last) : await tryStat(c, last);
  const intoDir = lastSt?.type === 'dir' && a.args.length > 1;
  let status = 0;
  for (const target of args.slice(0, -1)) {
    const name = intoDir ? joinName(last, baseName(target)) : last;
    try {
      if (!a.opts.has('s')) await c.fs.lstat(target);
    } catch (e) {
      await c.perror(target, e);
      status = 1;
      continue;
    }
    if (a.opts.has('f')) await c.fs.unlink(name).catch(rethrowKilled);
    try {
      if (a.opts.has('s')) await c.fs.symlink(target, name);
      else await c.fs.link(target, name);
      if (a.opts.has('v')) await c.out.write(`'${name}' -> '${target}'\n`);
    } catch (e) {
      await c.perror(name, e);
      status = 1;
    }
  }
  return status;
});
