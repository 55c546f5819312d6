/**
 * What every applet shares: option parsing as busybox's getopt32 does it (glibc getopt_long with
 * permutation, so `ls dir -l` works; `--` ends options), buffered stdout (busybox writes through stdio,
 * fully buffered when stdout is not a terminal), unbuffered stderr with the `applet: ` prefix of
 * libbb's bb_error_msg, and the usage text busybox prints on a bad option.
 */
import { isKilled, isSysErrno, strerror } from '../errno.js';
import type { ExitCode, FileStat, Program, ProcessContext, ReadStream } from '../program.js';
import { usageLine } from './usage.js';

/** The banner busybox prints above a usage text (the version this model follows: Debian bookworm's). */
export const BANNER = 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.';

/** stdout through a buffer, as stdio's: text is UTF-8, bytes go as they are. */
export class Out {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly p: ProcessContext) {}
  async write(s: string | Uint8Array): Promise<void> {
    const b = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    this.chunks.push(b);
    this.size += b.length;
    if (this.size >= 8192) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const b = Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    await this.p.stdout.write(b);
  }
}

/** One run of an applet: its context, name, and the ways it reports. */
export class Ctx {
  readonly out: Out;
  constructor(
    readonly p: ProcessContext,
    readonly name: string,
  ) {
    this.out = new Out(p);
  }
  get fs() {
    return this.p.fs;
  }
  /** bb_error_msg: `applet: msg` on stderr. */
  async error(msg: string): Promise<void> {
    await this.p.stderr.write(`${this.name}: ${msg}\n`);
  }
  /** bb_perror_msg: `applet: msg: strerror`. */
  async perror(msg: string, e: unknown): Promise<void> {
    rethrowKilled(e);
    await this.error(`${msg}: ${strerror(e)}`);
  }
  /** bb_show_usage: the banner and the applet's usage line on stderr, exit status 1. */
  async usage(): Promise<ExitCode> {
    await this.p.stderr.write(`${BANNER}\n\nUsage: ${usageLine(this.name)}\n`);
    return 1;
  }
}

export function rethrowKilled(e: unknown): void {
  if (isKilled(e)) throw e;
}

/**
 * An applet: runs `body` with a Ctx, flushes stdout, and ends quietly on EPIPE (the writer was not
 * killed by SIGPIPE because it ignores it; busybox's stdio then fails the write and the applet exits 1).
 */
export function applet(name: string, body: (c: Ctx) => Promise<ExitCode>): Program {
  return async (p) => {
    const c = new Ctx(p, name);
    try {
      const code = await body(c);
      await c.out.flush();
      return code;
    } catch (e) {
      if (isKilled(e)) throw e;
      if (isSysErrno(e, 'EPIPE')) return 1;
      throw e;
    }
  };
}

export interface Parsed {
  /** Each flag given, with its last argument (or true); `count` for flags given more than once (-v -v). */
  readonly opts: Map<string, string | true>;
  readonly lists: Map<string, string[]>;
  readonly count: Map<string, number>;
  readonly args: string[];
}

/**
 * getopt(3) over argv[1..] with a spec like 'pm:' (a colon: the flag takes an argument). Options and
 * operands may mix (GNU permutation) unless the spec starts with '+' (stop at the first operand, as
 * busybox asks for `xargs`, `env`, `nice`). Returns null after printing glibc's message and the usage.
 */
export async function getopt(c: Ctx, spec: string, argv = c.p.argv.slice(1)): Promise<Parsed | null> {
  const stopAtOperand = spec.startsWith('+');
  const takes = new Map<string, boolean>();
  const s = stopAtOperand ? spec.slice(1) : spec;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === ':') continue;
    takes.set(ch, s[i + 1] === ':');
  }
  const opts = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const count = new Map<string, number>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (stopAtOperand) {
        args.push(...argv.slice(i));
        break;
      }
      args.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      const t = takes.get(ch);
      if (t === undefined) {
        await c.p.stderr.write(`${c.name}: invalid option -- '${ch}'\n`);
        await c.usage();
        return null;
      }
      count.set(ch, (count.get(ch) ?? 0) + 1);
      if (!t) {
        opts.set(ch, true);
        continue;
      }
      let v: string | undefined = a.slice(j + 1);
      if (v === '') v = argv[++i];
      if (v === undefined) {
        await c.p.stderr.write(`${c.name}: option requires an argument -- '${ch}'\n`);
        await c.usage();
        return null;
      }
      opts.set(ch, v);
      lists.set(ch, [...(lists.get(ch) ?? []), v]);
      break;
    }
  }
  return { opts, lists, count, args };
}

/** Reads a stream to its end. */
export async function readAll(r: ReadStream): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const b = await r.read();
    if (b === null) break;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/**
 * The lines of a stream as they arrive (so `yes | head -n 1` ends): each with its newline, the
 * last one without if the input does not end in one.
 */
export async function* lines(r: ReadStream): AsyncGenerator<string> {
  let pending = '';
  const dec = new TextDecoder('utf-8');
  for (;;) {
    const b = await r.read();
    if (b === null) break;
    pending += dec.decode(b, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
    }
  }
  pending += dec.decode();
  if (pending !== '') yield pending;
}

/**
 * Opens an input operand: `-` is stdin. On failure prints busybox's message (`applet: FILE: error`,
 * or with can't open when `cantOpen`) and returns null.
 */
export async function openInput(c: Ctx, name: string, style: 'plain' | 'cantOpen' = 'plain'): Promise<ReadStream | null> {
  if (name === '-') return c.p.stdin;
  try {
    return await c.fs.openRead(name);
  } catch (e) {
    rethrowKilled(e);
    await c.perror(style === 'cantOpen' ? `can't open '${name}'` : name, e);
    return null;
  }
}

/** Closes an input opened by openInput (stdin stays open). */
export function closeInput(c: Ctx, r: ReadStream): void {
  if (r !== c.p.stdin) r.close();
}

/** `drwxr-xr-x` as ls and stat print a mode (libbb bb_mode_string). */
export function modeString(st: FileStat): string {
  const typeChar: Record<string, string> = { file: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p' };
  const m = st.mode;
  const rwx = (r: number, w: number, x: number, special: number, set: string, unset: string) =>
    (m & r ? 'r' : '-') + (m & w ? 'w' : '-') + (m & special ? (m & x ? set : unset) : m & x ? 'x' : '-');
  return (
    (typeChar[st.type] ?? '?') +
    rwx(0o400, 0o200, 0o100, 0o4000, 's', 'S') +
    rwx(0o040, 0o020, 0o010, 0o2000, 's', 'S') +
    rwx(0o004, 0o002, 0o001, 0o1000, 't', 'T')
  );
}

/** 512-byte blocks a file occupies, as ext4 allocates them (4 KiB blocks; a symlink under 60 bytes is inline; an xattr block). */
export function blocksOf(st: FileStat): number {
  if (st.blocks !== undefined) return st.blocks;
  return dataBlocks(st) + (st.xattrBlock ? 8 : 0);
}

function dataBlocks(st: FileStat): number {
  if (st.type === 'dir') return Math.max(8, Math.ceil(st.size / 4096) * 8);
  if (st.type === 'symlink') return st.size < 60 ? 0 : 8;
  if (st.type !== 'file') return 0;
  return Math.ceil(st.size / 4096) * 8;
}

/** Joins a directory and a name as busybox's concat_path_file does (no doubled slash). */
export function joinName(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The last component of a path, trailing slashes ignored (bb_get_last_path_component_strip). */
export function baseName(path: string): string {
  const s = path.replace(/\/+$/, '');
  if (s === '') return path === '' ? '' : '/';
  return s.slice(s.lastIndexOf('/') + 1);
}

export async function tryLstat(c: Ctx, path: string): Promise<FileStat | null> {
  try {
    return await c.fs.lstat(path);
  } catch (e) {
    rethrowKilled(e);
    return null;
  }
}

export async function tryStat(c: Ctx, path: string): Promise<FileStat | null> {
  try {
    return await c.fs.stat(path);
  } catch (e) {
    rethrowKilled(e);
    return null;
  }
}

/** Parses an unsigned decimal the way xatou does; null for anything else. */
export function parseUint(s: string): number | null {
  return /^\d+$/.test(s) ? Number(s) : null;
}
