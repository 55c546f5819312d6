/**
 * stat, readlink, realpath (busybox coreutils/stat.c, readlink.c, realpath.c). The model's inodes
 * keep one time, the mtime, in whole seconds, and no device number: stat prints the mtime for all
 * three times with .000000000 and a fixed device (the overlay's, 0x2e, as a container's root shows).
 */
import { errnoOf } from '../errno.js';
import type { FileStat } from '../program.js';
import { applet, blocksOf, getopt, modeString, rethrowKilled, type Ctx } from './common.js';
import { ext } from './ext.js';
import { Names } from './names.js';
import { strftime } from './when.js';

/** st_dev of every file in the model (0x2e: an overlay mount's anonymous device, 0:46). */
export const MODEL_DEV = 0x2e;

const TYPE_NAMES: Record<string, string> = {
  file: 'regular file',
  dir: 'directory',
  symlink: 'symbolic link',
  char: 'character special file',
  block: 'block special file',
  fifo: 'fifo',
};

function typeName(st: FileStat): string {
  if (st.type === 'file' && st.size === 0) return 'regular empty file';
  return TYPE_NAMES[st.type] ?? 'unknown';
}

const fullTime = (t: number) => `${strftime('%Y-%m-%d %H:%M:%S', t)}.000000000 +0000`;

interface Subject {
  name: string;
  st: FileStat;
  link?: string;
  user?: string;
  group?: string;
}

function conversion(ch: string, s: Subject): string | undefined {
  const st = s.st;
  switch (ch) {
    case 'a': return (st.mode & 0o7777).toString(8);
    case 'A': return modeString(st);
    case 'b': return String(blocksOf(st));
    case 'B': return '512';
    case 'd': return String(MODEL_DEV);
    case 'D': return MODEL_DEV.toString(16);
    case 'f': return st.stMode.toString(16);
    case 'F': return st.type === 'file' && st.size === 0 ? 'regular empty file' : typeName(st);
    case 'g': return String(st.gid);
    case 'G': return s.group ?? 'UNKNOWN';
    case 'h': return String(st.nlink);
    case 'i': return String(st.ino);
    case 'n': return s.name;
    case 'N': return s.link !== undefined ? `'${s.name}' -> '${s.link}'` : s.name;
    case 'o': return '4096';
    case 's': return String(st.size);
    case 't': return (st.rdev?.major ?? 0).toString(16);
    case 'T': return (st.rdev?.minor ?? 0).toString(16);
    case 'u': return String(st.uid);
    case 'U': return s.user ?? 'UNKNOWN';
    case 'x': case 'y': case 'z': return fullTime(st.mtime);
    case 'X': case 'Y': case 'Z': return String(st.mtime);
    default: return undefined;
  }
}

/** stat -c FORMAT: printf-style `%[-0 +#][width]X`; escapes are not interpreted (that is --printf, which busybox lacks). */
function formatStat(fmt: string, s: Subject): string {
  return fmt.replace(/%([-#0 +]*)(\d*)(?:\.\d+)?(.?)/g, (all, flags: string, width: string, ch: string) => {
    if (ch === '%') return '%';
    if (ch === '') return '?';
    const v = conversion(ch, s);
    if (v === undefined) return ch;
    const w = Number(width) || 0;
    return flags.includes('-') ? v.padEnd(w) : v.padStart(w, flags.includes('0') ? '0' : ' ');
  });
}

function defaultFormat(s: Subject): string {
  const st = s.st;
  const u = `${String(st.uid).padStart(5)}/${(s.user ?? 'UNKNOWN').padStart(8)}`;
  const g = `${String(st.gid).padStart(5)}/${(s.group ?? 'UNKNOWN').padStart(8)}`;
  const dev = `Device: ${MODEL_DEV.toString(16)}h/${MODEL_DEV}d\tInode: ${String(st.ino).padEnd(11)} Links: ${String(st.nlink).padEnd(5)}`;
  const devType = st.rdev ? ` Device type: ${st.rdev.major},${st.rdev.minor}` : '';
  return [
    `  File: ${s.link !== undefined ? `'${s.name}' -> '${s.link}'` : s.name}`,
    `  Size: ${String(st.size).padEnd(10)}\tBlocks: ${String(blocksOf(st)).padEnd(10)} IO Block: 4096   ${typeName(st)}`,
    st.rdev ? dev + devType : dev.trimEnd(),
    `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st)})  Uid: (${u})   Gid: (${g})`,
    `Access: ${fullTime(st.mtime)}`,
    `Modify: ${fullTime(st.mtime)}`,
    `Change: ${fullTime(st.mtime)}`,
    '',
  ].join('\n');
}

function terse(s: Subject): string {
  const st = s.st;
  const f = [s.name, st.size, blocksOf(st), st.stMode.toString(16), st.uid, st.gid, MODEL_DEV.toString(16), st.ino, st.nlink];
  f.push((st.rdev?.major ?? 0).toString(16), (st.rdev?.minor ?? 0).toString(16), st.mtime, st.mtime, st.mtime, 4096);
  return f.join(' ') + '\n';
}

async function statFs(c: Ctx, path: string, fmt: string | undefined, isTerse: boolean): Promise<boolean> {
  const statfs = ext(c.p).statfs;
  if (!statfs) {
    await c.error(`can't read file system information for '${path}': Function not implemented`);
    return false;
  }
  let f;
  try {
    await c.fs.stat(path);
    f = await statfs.call(c.p.sys, path);
  } catch (e) {
    await c.perror(`can't read file system information for '${path}'`, e);
    return false;
  }
  if (fmt !== undefined || isTerse) {
    await c.out.write(`${path} ${f.fsid} ${f.namelen} ${f.magic.toString(16)} ${f.bsize} ${f.bsize} ${f.blocks} ${f.bfree} ${f.bavail} ${f.files} ${f.ffree}\n`);
    return true;
  }
  await c.out.write(
    `  File: "${path}"\n    ID: ${f.fsid} Namelen: ${String(f.namelen).padEnd(7)} Type: ${f.type}\n` +
      `Block size: ${String(f.bsize).padEnd(10)}\nBlocks: Total: ${String(f.blocks).padEnd(10)} Free: ${String(f.bfree).padEnd(10)} Available: ${f.bavail}\n` +
      `Inodes: Total: ${String(f.files).padEnd(10)} Free: ${f.ffree}\n`,
  );
  return true;
}

export const stat = applet('stat', async (c) => {
  const a = await getopt(c, 'c:fLt');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  const fmt = a.opts.get('c');
  const names = new Names(c);
  let status = 0;
  for (const name of a.args) {
    if (a.opts.has('f')) {
      if (!(await statFs(c, name, typeof fmt === 'string' ? fmt : undefined, a.opts.has('t')))) status = 1;
      continue;
    }
    let st: FileStat;
    try {
      st = a.opts.has('L') ? await c.fs.stat(name) : await c.fs.lstat(name);
    } catch (e) {
      await c.perror(`can't stat '${name}'`, e);
      status = 1;
      continue;
    }
    const s: Subject = { name, st, user: await names.userName(st.uid), group: await names.groupName(st.gid) };
    if (st.type === 'symlink') s.link = await c.fs.readlink(name);
    if (typeof fmt === 'string') await c.out.write(formatStat(fmt, s) + '\n');
    else if (a.opts.has('t')) await c.out.write(terse(s));
    else await c.out.write(defaultFormat(s));
  }
  return status;
});

/**
 * realpath(3) over the process's filesystem: every symlink resolved, every component required to
 * exist (busybox's `readlink -f` and `realpath` both print nothing for a missing path).
 */
export async function canonical(c: Ctx, path: string): Promise<string> {
  const parts = c.fs.resolve(path).split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  // Whether the remaining components came from a symlink's target: then the last may be missing
  // (a dangling link resolves to where it points), as busybox's xmalloc_realpath_coreutils allows.
  let lastFromLink = false;
  while (parts.length > 0) {
    const name = parts.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      done.pop();
      continue;
    }
    const here = '/' + [...done, name].join('/');
    let st;
    try {
      st = await c.fs.lstat(here);
    } catch (e) {
      if (parts.length === 0 && lastFromLink && errnoOf(e) === 'ENOENT') return here;
      throw e;
    }
    if (st.type === 'symlink') {
      lastFromLink = parts.length === 0 || lastFromLink;
      if (++hops > 40) await c.fs.stat(here); // throws ELOOP
      const target = await c.fs.readlink(here);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    if (parts.length > 0 && st.type !== 'dir') await c.fs.readdir(here); // throws ENOTDIR
    done.push(name);
  }
  return '/' + done.join('/');
}

export const readlink = applet('readlink', async (c) => {
  const a = await getopt(c, 'fnvse');
  if (!a) return 1;
  if (a.args.length !== 1) return c.usage();
  const path = a.args[0]!;
  const nl = a.opts.has('n') ? '' : '\n';
  try {
    const out = a.opts.has('f') || a.opts.has('e') ? await canonical(c, path) : await c.fs.readlink(path);
    await c.out.write(out + nl);
    return 0;
  } catch (e) {
    rethrowKilled(e);
    if (!a.opts.has('v')) return 1;
    if (errnoOf(e) === 'EINVAL') await c.error(`${path}: cannot read link: not a symlink`);
    else await c.perror(`${path}: cannot read link`, e);
    return 1;
  }
});

export const realpath = applet('realpath', async (c) => {
  const a = await getopt(c, '');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  let status = 0;
  for (const p of a.args) {
    try {
      await c.out.write((await canonical(c, p)) + '\n');
    } catch (e) {
      await c.perror(p, e);
      status = 1;
    }
  }
  return status;
});
