/**
 * ls as busybox 1.35 prints it (coreutils/ls.c): names sorted bytewise (the C locale), one per line
 * when stdout is not a terminal and in columns when it is, `-l` as
 * `MODE NLINK USER GROUP SIZE MON DD HH:MM NAME` (the year instead of the time for an mtime more than
 * half a year away), `total` in 1 KiB blocks, file operands first, then each directory under a
 * `DIR:` header when there is more than one operand or -R.
 */
import type { FileStat } from '../program.js';
import { applet, blocksOf, getopt, joinName, modeString, rethrowKilled, type Ctx } from './common.js';
import { humanSize, Names } from './names.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR = (365 * 24 * 60 * 60) / 2;

interface Item {
  /** What is printed: the operand as given, or the name in its directory. */
  name: string;
  /** The path to reach it. */
  path: string;
  st: FileStat;
}

interface Opts {
  all: boolean;
  almostAll: boolean;
  long: boolean;
  numeric: boolean;
  dirsAsFiles: boolean;
  recursive: boolean;
  human: boolean;
  classify: boolean;
  slash: boolean;
  inode: boolean;
  size: boolean;
  reverse: boolean;
  bySize: boolean;
  byTime: boolean;
  onePerLine: boolean;
}

/** `Nov 28 21:21` or `Jan  2  2024` (busybox ls.c: the year when the mtime is in the future or over half a year old). */
export function lsTime(mtime: number, now: number): string {
  const d = new Date(mtime * 1000);
  const head = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)}`;
  const age = now - mtime;
  if (age < 0 || age > HALF_YEAR) return `${head}  ${d.getUTCFullYear()}`;
  return `${head} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

class Lister {
  private readonly names: Names;
  private readonly now: number;
  status = 0;
  constructor(
    private readonly c: Ctx,
    private readonly o: Opts,
  ) {
    this.names = new Names(c);
    this.now = Math.floor(c.p.sys.now() / 1000);
  }

  sort(items: Item[]): Item[] {
    const byName = (a: Item, b: Item): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    let cmp = byName;
    if (this.o.bySize) cmp = (a, b) => b.st.size - a.st.size || byName(a, b);
    else if (this.o.byTime) cmp = (a, b) => b.st.mtime - a.st.mtime || byName(a, b);
    const sorted = [...items].sort(cmp);
    return this.o.reverse ? sorted.reverse() : sorted;
  }

  private indicator(st: FileStat): string {
    if (!this.o.classify && !this.o.slash) return '';
    if (st.type === 'dir') return '/';
    if (!this.o.classify) return '';
    if (st.type === 'symlink') return '@';
    if (st.type === 'fifo') return '|';
    if (st.type === 'file' && st.mode & 0o111) return '*';
    return '';
  }

  private async longLine(it: Item): Promise<string> {
    const st = it.st;
    const user = this.o.numeric ? undefined : await this.names.userName(st.uid);
    const group = this.o.numeric ? undefined : await this.names.groupName(st.gid);
    const size =
      st.type === 'char' || st.type === 'block'
        ? `${String(st.rdev?.major ?? 0).padStart(4)},${String(st.rdev?.minor ?? 0).padStart(4)}`
        : this.o.human
          ? humanSize(st.size).padStart(7)
          : String(st.size).padStart(9);
    let line = `${modeString(st)} ${String(st.nlink).padStart(4)} ${(user ?? String(st.uid)).padEnd(8)} ${(group ?? String(st.gid)).padEnd(8)} ${size} ${lsTime(st.mtime, this.now)} ${it.name}`;
    if (st.type === 'symlink') {
      try {
        line += ` -> ${await this.c.fs.readlink(it.path)}`;
      } catch (e) {
        rethrowKilled(e);
        // ls.c: bb_perror_msg("cannot read link"); the line is printed without a target, status unchanged
        await this.c.perror(`${it.path}: cannot read link`, e);
      }
    }
    return line;
  }

  private prefix(st: FileStat): string {
    let s = '';
    if (this.o.inode) s += `${String(st.ino).padStart(8)} `;
    if (this.o.size) s += `${String(blocksOf(st) / 2).padStart(6)} `;
    return s;
  }

  /** Prints a group of items (the file operands, or one directory's entries). */
  async show(items: Item[]): Promise<void> {
    const out = this.c.out;
    if (this.o.long) {
      for (const it of items) await out.write(`${this.prefix(it.st)}${await this.longLine(it)}${this.o.classify && it.st.type !== 'symlink' ? this.indicator(it.st) : ''}\n`);
      return;
    }
    const cells = items.map((it) => `${this.prefix(it.st)}${it.name}${this.indicator(it.st)}`);
    if (this.o.onePerLine || this.c.p.stdout.kind !== 'tty') {
      for (const cell of cells) await out.write(cell + '\n');
      return;
    }
    await out.write(columns(cells, Number(this.c.p.env.get('COLUMNS')) || 80));
  }

  async entries(dir: string): Promise<Item[] | null> {
    let names: string[];
    try {
      names = await this.c.fs.readdir(dir);
    } catch (e) {
      await this.c.perror(`can't open '${dir}'`, e);
      this.status = 1;
      return null;
    }
    if (this.o.all) names.push('.', '..');
    const items: Item[] = [];
    for (const n of names) {
      if (n.startsWith('.') && !this.o.all && !(this.o.almostAll && n !== '.' && n !== '..')) continue;
      const path = joinName(dir, n);
      try {
        items.push({ name: n, path, st: await this.c.fs.lstat(path) });
      } catch (e) {
        await this.c.perror(path, e);
        this.status = 1;
      }
    }
    return this.sort(items);
  }

  /** Lists one directory (with its header when `header`), then its subdirectories under -R. */
  async dir(path: string, header: boolean, first: boolean): Promise<void> {
    const items = await this.entries(path);
    if (!first) await this.c.out.write('\n');
    if (header) await this.c.out.write(`${path}:\n`);
    if (items === null) return;
    if (this.o.long || this.o.size) {
      const total = items.reduce((n, it) => n + blocksOf(it.st), 0) / 2;
      await this.c.out.write(this.o.human && this.o.long ? `total ${humanTotal(total).padEnd(7)}\n` : `total ${total}\n`);
    }
    await this.show(items);
    if (!this.o.recursive) return;
    for (const it of items) {
      if (it.st.type !== 'dir' || it.name === '.' || it.name === '..') continue;
      await this.dir(it.path, true, false);
    }
  }
}

/** `ls -lh`'s total: whole units, rounded (4888 KiB is "5M"), and a bare 0. */
function humanTotal(kib: number): string {
  if (kib === 0) return '0';
  const units = ['K', 'M', 'G', 'T', 'P'];
  let v = kib;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Math.round(v)}${units[u]}`;
}

/** Names laid out down columns, as busybox's showfiles does (column width: longest name + 2). */
function columns(cells: string[], width: number): string {
  if (cells.length === 0) return '';
  const colWidth = Math.max(...cells.map((c) => c.length)) + 2;
  const ncols = Math.max(1, Math.floor(width / colWidth));
  const nrows = Math.ceil(cells.length / ncols);
  let s = '';
  for (let r = 0; r < nrows; r++) {
    const row: string[] = [];
    for (let col = 0; col < ncols; col++) {
      const i = col * nrows + r;
      if (i < cells.length) row.push(cells[i]!);
    }
    s += row.map((cell, k) => (k < row.length - 1 ? cell.padEnd(colWidth) : cell)).join('') + '\n';
  }
  return s;
}

export const ls = applet('ls', async (c) => {
  const a = await getopt(c, '1AaCxdLHRFplinshrSXvctue');
  if (!a) return 1;
  const f = (ch: string) => a.opts.has(ch);
  const o: Opts = {
    all: f('a'),
    almostAll: f('A'),
    long: f('l') || f('n'),
    numeric: f('n'),
    dirsAsFiles: f('d'),
    recursive: f('R') && !f('d'),
    human: f('h'),
    classify: f('F'),
    slash: f('p'),
    inode: f('i'),
    size: f('s'),
    reverse: f('r'),
    bySize: f('S'),
    byTime: f('t'),
    onePerLine: f('1'),
  };
  const l = new Lister(c, o);
  const operands = a.args.length > 0 ? a.args : ['.'];
  // A symlink operand is followed unless the listing is about the link itself (-l, -d, -F), as busybox does.
  const follow = !(o.long || o.dirsAsFiles || o.classify) || f('L') || f('H');
  const files: Item[] = [];
  const dirs: Item[] = [];
  for (const name of operands) {
    let st: FileStat;
    try {
      st = await c.fs.lstat(name);
      if (st.type === 'symlink' && follow) st = await c.fs.stat(name).catch(() => st);
    } catch (e) {
      await c.perror(name, e);
      l.status = 1;
      continue;
    }
    const it = { name, path: name, st };
    if (st.type === 'dir' && !o.dirsAsFiles) dirs.push(it);
    else files.push(it);
  }
  await l.show(l.sort(files));
  const header = operands.length > 1 || o.recursive;
  let first = files.length === 0;
  for (const d of l.sort(dirs)) {
    await l.dir(d.path, header, first);
    first = false;
  }
  return l.status;
});
