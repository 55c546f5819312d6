/**
 * which, du, df, mount, free (busybox debianutils/which.c, coreutils/du.c, df.c,
 * util-linux/mount.c, procps/free.c). The mount table is /proc/mounts in the process's filesystem
 * (busybox reads it with getmntent); sizes come from the extension calls in ext.ts.
 */
import type { FileStat } from '../program.js';
import { applet, blocksOf, getopt, joinName, readAll, rethrowKilled, type Ctx } from './common.js';
import { ext, type SysInfo } from './ext.js';
import { humanSize } from './names.js';

export const which = applet('which', async (c) => {
  const a = await getopt(c, 'a');
  if (!a) return 1;
  if (a.args.length === 0) return c.usage();
  let status = 0;
  for (const name of a.args) {
    let found = false;
    const dirs = name.includes('/') ? [''] : (c.p.env.get('PATH') ?? '/sbin:/usr/sbin:/bin:/usr/bin').split(':');
    for (const d of dirs) {
      const path = name.includes('/') ? name : joinName(d || '.', name);
      try {
        const st = await c.fs.stat(path);
        if (st.type !== 'file' || !(st.mode & 0o111)) continue;
        await c.out.write(path + '\n');
        found = true;
        if (!a.opts.has('a')) break;
      } catch (e) {
        rethrowKilled(e);
      }
    }
    if (!found) status = 1;
  }
  return status;
});

interface DuOpts {
  all: boolean;
  summary: boolean;
  human: boolean;
  maxDepth: number;
  seen: Set<number>;
}

/** 1 KiB blocks under `path`, printing as du does (post-order: a directory after its entries). */
async function duWalk(c: Ctx, path: string, depth: number, o: DuOpts, top: boolean): Promise<number | null> {
  let st: FileStat;
  try {
    st = top ? await c.fs.stat(path).catch(() => c.fs.lstat(path)) : await c.fs.lstat(path);
  } catch (e) {
    await c.perror(path, e);
    return null;
  }
  // A file with several names counts once (busybox du remembers dev/inode pairs).
  if (st.nlink > 1 && st.type !== 'dir') {
    if (o.seen.has(st.ino)) return 0;
    o.seen.add(st.ino);
  }
  let kb = blocksOf(st) / 2;
  if (st.type === 'dir') {
    let names: string[] = [];
    try {
      names = await c.fs.readdir(path);
    } catch (e) {
      await c.perror(path, e);
    }
    for (const n of names) kb += (await duWalk(c, joinName(path, n), depth + 1, o, false)) ?? 0;
  }
  const show = top || (!o.summary && depth <= o.maxDepth && (st.type === 'dir' || o.all));
  if (show) await c.out.write(`${o.human ? humanSize(kb * 1024) : kb}\t${path}\n`);
  return kb;
}

export const du = applet('du', async (c) => {
  const a = await getopt(c, 'aHLdclsxhmkd:');
  if (!a) return 1;
  const d = a.opts.get('d');
  const o: DuOpts = { all: a.opts.has('a'), summary: a.opts.has('s'), human: a.opts.has('h'), maxDepth: typeof d === 'string' ? Number(d) : Infinity, seen: new Set() };
  let status = 0;
  let total = 0;
  for (const p of a.args.length > 0 ? a.args : ['.']) {
    const kb = await duWalk(c, p, 0, o, true);
    if (kb === null) status = 1;
    else total += kb;
  }
  if (a.opts.has('c')) await c.out.write(`${o.human ? humanSize(total * 1024) : total}\ttotal\n`);
  return status;
});

/** /proc/mounts: device, mount point, type, options, per line (octal escapes as the kernel writes them). */
async function mounts(c: Ctx): Promise<string[][] | null> {
  try {
    const r = await c.fs.openRead('/proc/mounts');
    const text = (await readAll(r)).toString();
    r.close();
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ').map((f) => f.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))));
  } catch (e) {
    rethrowKilled(e);
    return null;
  }
}

export const mount = applet('mount', async (c) => {
  const a = await getopt(c, 'o:t:rwanfvisO:');
  if (!a) return 1;
  if (a.args.length > 0 || a.opts.has('a')) {
    // mount(2) needs CAP_SYS_ADMIN, which a Docker container does not have.
    await c.error('permission denied (are you root?)');
    return 255;
  }
  const table = await mounts(c);
  if (!table) {
    await c.error("can't read '/proc/mounts': No such file or directory");
    return 1;
  }
  const t = a.opts.get('t');
  for (const [dev, dir, type, opts] of table) {
    if (typeof t === 'string' && type !== t) continue;
    await c.out.write(`${dev} on ${dir} type ${type} (${opts})\n`);
  }
  return 0;
});

export const df = applet('df', async (c) => {
  const a = await getopt(c, 'PkmhTaiB:t:');
  if (!a) return 1;
  const statfs = ext(c.p).statfs;
  const table = await mounts(c);
  if (!table) {
    await c.error("can't read '/proc/mounts': No such file or directory");
    return 1;
  }
  if (!statfs) {
    await c.error('statfs: Function not implemented');
    return 1;
  }
  const human = a.opts.has('h');
  const head = a.opts.has('P') ? 'Filesystem           1024-blocks    Used Available Capacity Mounted on' : human ? 'Filesystem                Size      Used Available Use% Mounted on' : 'Filesystem           1K-blocks      Used Available Use% Mounted on';
  await c.out.write(head + '\n');
  let status = 0;
  const wanted = a.args.length > 0 ? await Promise.all(a.args.map((p) => c.fs.stat(p).then(() => c.fs.resolve(p)).catch(() => null))) : null;
  for (const [dev, dir] of table) {
    if (wanted && !wanted.some((w) => w !== null && (w === dir || w.startsWith(dir + '/') || dir === '/'))) continue;
    let f;
    try {
      f = await statfs.call(c.p.sys, dir!);
    } catch (e) {
      rethrowKilled(e);
      continue;
    }
    if (f.blocks === 0 && !a.opts.has('a')) continue;
    const k = (n: number) => Math.floor((n * f.bsize) / 1024);
    const used = f.blocks - f.bfree;
    const pct = used + f.bavail > 0 ? Math.ceil((used * 100) / (used + f.bavail)) : 0;
    const num = (n: number) => (human ? humanSize(k(n) * 1024).padStart(9) : String(k(n)).padStart(9));
    const name = dev!.length > 20 ? `${dev}\n${' '.repeat(20)}` : dev!.padEnd(20);
    await c.out.write(`${name} ${num(f.blocks)} ${num(used)} ${num(f.bavail)} ${String(pct).padStart(3)}% ${dir}\n`);
  }
  if (wanted?.includes(null)) status = 1;
  return status;
});

/** The memory figures: the kernel's sysinfo extension, else /proc/meminfo as the kernel writes it. */
async function sysinfo(c: Ctx): Promise<SysInfo | null> {
  const s = ext(c.p).sysinfo?.();
  if (s) return s;
  try {
    const r = await c.fs.openRead('/proc/meminfo');
    const kv = new Map<string, number>();
    for (const l of (await readAll(r)).toString().split('\n')) {
      const m = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(l);
      if (m) kv.set(m[1]!, Number(m[2]) * 1024);
    }
    r.close();
    const g = (k: string) => kv.get(k) ?? 0;
    return { total: g('MemTotal'), free: g('MemFree'), shared: g('Shmem'), buffers: g('Buffers'), cached: g('Cached') + g('SReclaimable'), available: g('MemAvailable'), swapTotal: g('SwapTotal'), swapFree: g('SwapFree') };
  } catch (e) {
    rethrowKilled(e);
    return null;
  }
}

export const free = applet('free', async (c) => {
  const a = await getopt(c, 'bkmgh');
  if (!a) return 1;
  const s = await sysinfo(c);
  if (!s) {
    await c.error("can't open '/proc/meminfo': No such file or directory");
    return 1;
  }
  const unit = a.opts.has('b') ? 1 : a.opts.has('m') ? 1 << 20 : a.opts.has('g') ? 1 << 30 : 1024;
  const v = (n: number) => (a.opts.has('h') ? humanSize(n) : String(Math.floor(n / unit))).padStart(12);
  const used = s.total - s.free - s.buffers - s.cached;
  await c.out.write(`${''.padEnd(6)}${'total'.padStart(13)}${'used'.padStart(12)}${'free'.padStart(12)}${'shared'.padStart(12)}${'buff/cache'.padStart(12)}${'available'.padStart(12)}\n`);
  await c.out.write(`Mem:  ${v(s.total).padStart(13)}${v(used)}${v(s.free)}${v(s.shared)}${v(s.buffers + s.cached)}${v(s.available)}\n`);
  await c.out.write(`Swap: ${v(s.swapTotal).padStart(13)}${v(s.swapTotal - s.swapFree)}${v(s.swapFree)}\n`);
  return 0;
});
