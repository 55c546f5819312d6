/**
 * Runs an applet over an in-memory Vfs, and the same argv through the real busybox on a disk tree
 * built from the same description, so a test compares stdout, stderr and exit status.
 *
 * The model side is a ProcessContext made here, apart from the kernel: a FileSystem port over Vfs
 * (paths from the cwd, umask 022 applied to creations), streams that collect into buffers, stdin from
 * a buffer, and a System port with a pid, a hostname and a clock. The Vfs holds the tree at the very
 * path of the real temp directory, so absolute paths print the same on both sides.
 */
import { hostLimits, setLimit } from '../../../src/runtime/rlimits.js';
import { spawnSync } from 'node:child_process';
import { chownSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, linkSync, chmodSync } from 'node:fs';
import { availableParallelism, hostname, machine, release, tmpdir, version } from 'node:os';
import { posix } from 'node:path';
import { FsError } from '../../../src/errors.js';
import { SysError } from '../../../src/runtime/errno.js';
import type { FileSystem, ProcessContext, ReadStream, System, WriteFlags, WriteStream } from '../../../src/runtime/program.js';
import type { Program } from '../../../src/runtime/program.js';
import { Vfs } from '../../../src/vfs/vfs.js';
import { busyboxApplets } from '../../../src/runtime/busybox/index.js';
import type { SystemExt } from '../../../src/runtime/busybox/ext.js';
import { needTool } from '../../support/tools.js';

export const busybox = needTool('busybox', 'apt-get install busybox-static');

export const UMASK = 0o022;

export function bufferReader(data: Uint8Array | string, kind: ReadStream['kind'] = 'pipe'): ReadStream {
  let rest: Buffer | null = Buffer.from(data);
  return {
    kind,
    async read(max = 65536) {
      if (rest === null || rest.length === 0) return null;
      const out = rest.subarray(0, max);
      rest = rest.subarray(out.length);
      return out;
    },
    close() {
      rest = null;
    },
  };
}

export class Collector implements WriteStream {
  private parts: Buffer[] = [];
  /** After this many bytes the reader "closes" (EPIPE), as `| head -c N` would. */
  constructor(
    private readonly limit = Infinity,
    readonly kind: 'pipe' | 'tty' = 'pipe',
  ) {}
  async write(data: Uint8Array | string): Promise<void> {
    if (this.size() >= this.limit) throw new SysError('EPIPE');
    this.parts.push(Buffer.from(data));
  }
  close(): void {}
  size(): number {
    return this.parts.reduce((n, b) => n + b.length, 0);
  }
  text(): string {
    return Buffer.concat(this.parts).toString();
  }
}

/** The FileSystem port over a Vfs, for a process with this cwd (root's view; permission bits not enforced). */
export function vfsPort(vfs: Vfs, cwd: () => string): FileSystem {
  const abs = (p: string) => posix.resolve(cwd(), p) + (p.endsWith('/') && p !== '/' ? '/' : '');
  return {
    stat: async (p) => vfs.stat(abs(p)),
    lstat: async (p) => vfs.lstat(abs(p)),
    readdir: async (p) => vfs.readdir(abs(p)),
    readlink: async (p) => vfs.readlink(abs(p)),
    access: async (p) => void vfs.stat(abs(p)),
    openRead: async (p) => {
      const st = vfs.stat(abs(p));
      if (st.type === 'dir') {
        return { kind: 'file', read: async () => { throw new FsError('EISDIR', p, 'read'); }, close() {} };
      }
      return bufferReader(vfs.readFile(abs(p)), 'file');
    },
    openWrite: async (p, flags: WriteFlags) => {
      const a = abs(p);
      const exists = vfs.exists(a) && (() => { try { vfs.stat(a); return true; } catch { return false; } })();
      if (exists && flags.exclusive) throw new FsError('EEXIST', p, 'open');
      if (!exists && !flags.create) throw new FsError('ENOENT', p, 'open');
      if (exists && vfs.stat(a).type === 'dir') throw new FsError('EISDIR', p, 'open');
      if (!exists) vfs.writeFile(a, '', { mode: (flags.mode ?? 0o666) & ~UMASK });
      else if (flags.truncate) vfs.truncate(a, 0);
      return {
        kind: 'file',
        write: async (d) => vfs.writeFile(a, Buffer.from(d), { append: true }),
        close() {},
      };
    },
    resolve: (p) => posix.resolve(cwd(), p),
    mkdir: async (p, mode = 0o777) => vfs.mkdir(abs(p), mode & ~UMASK),
    rmdir: async (p) => vfs.rmdir(abs(p)),
    unlink: async (p) => vfs.unlink(abs(p)),
    rename: async (a, b) => vfs.rename(abs(a), abs(b)),
    symlink: async (t, p) => vfs.symlink(t, abs(p)),
    link: async (a, b) => vfs.link(abs(a), abs(b)),
    chmod: async (p, m) => vfs.chmod(abs(p), m),
    chown: async (p, u, g, o) => vfs.chown(abs(p), u, g, o),
    utimes: async (p, m) => vfs.utimes(abs(p), m),
    truncate: async (p, n) => vfs.truncate(abs(p), n),
  };
}

export interface RunOpts {
  cwd: string;
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  hostname?: string;
  /** Bytes after which stdout's reader goes away. */
  stdoutLimit?: number;
  /** Programs the applet may spawn (xargs, find -exec); default: the busybox applets. */
  programs?: Map<string, Program>;
  cred?: { uid: number; gid: number; groups: number[] };
  /** stdout is a terminal (ls lays names out in columns). */
  tty?: boolean;
  /** statfs(2) for df and stat -f (the extension call, ext.ts). */
  statfs?: SystemExt['statfs'];
}

export interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

function minimalSys(
  state: { cwd: string },
  vfs: Vfs,
  opts: RunOpts,
  run: (argv: string[], o: RunOpts) => Promise<Result>,
  stdio: { stdout: WriteStream; stderr: WriteStream },
): System & SystemExt {
  const children = new Map<number, number>();
  let nextPid = 100;
  const limits = hostLimits(); // this host's, as the real busybox run beside it has (as root: may raise)
  return {
    pid: 42,
    getrlimit: (res) => ({ ...limits.get(res)! }),
    setrlimit: (res, l) => setLimit(limits, res, l, true),
    hasApplet: () => true,
    // The extension calls (ext.ts), answered as this host does, so uname and nproc compare with the real busybox.
    uname: () => ({ sysname: 'Linux', nodename: opts.hostname ?? hostname(), release: release(), version: version(), machine: machine() }),
    nproc: () => availableParallelism(),
    statfs: opts.statfs,
    ppid: 1,
    hostname: () => opts.hostname ?? hostname(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    pipe: () => { throw new Error('pipe: not in the harness'); },
    spawn: async (req) => {
      const name = req.applet ?? posix.basename(req.path ?? '');
      if (!(opts.programs ?? busyboxApplets).has(name)) throw new FsError('ENOENT', req.path ?? name, 'execve');
      // The child runs to its end here; its output goes to the streams it was given, else the caller's.
      const r = await run([name, ...req.argv.slice(1)], { ...opts, cwd: req.cwd ?? state.cwd, stdin: '' });
      await (req.stdout ?? stdio.stdout).write(r.stdout);
      await (req.stderr ?? stdio.stderr).write(r.stderr);
      const pid = nextPid++;
      children.set(pid, r.code);
      return pid;
    },
    exec: async () => { throw new Error('exec: not in the harness'); },
    fork: async () => { throw new Error('fork: not in the harness'); },
    wait: async (pid) => {
      const code = children.get(pid);
      if (code === undefined) throw new SysError('ECHILD');
      children.delete(pid);
      return { pid, status: { code } };
    },
    poll: () => null,
    kill: () => {},
    setDisposition: () => {},
    disposition: () => 'default',
    takeSignals: () => [],
    chdir: async (p) => {
      const a = posix.resolve(state.cwd, p);
      if (vfs.stat(a).type !== 'dir') throw new FsError('ENOTDIR', p, 'chdir');
      state.cwd = a;
    },
    processes: () => [],
  };
}

/** Runs argv[0] (a busybox applet) in the model over `vfs`. */
export async function runModel(vfs: Vfs, argv: string[], opts: RunOpts): Promise<Result> {
  const program = (opts.programs ?? busyboxApplets).get(argv[0]!);
  if (!program) throw new Error(`no applet ${argv[0]}`);
  const state = { cwd: opts.cwd };
  const stdout = new Collector(opts.stdoutLimit, opts.tty ? 'tty' : 'pipe');
  const stderr = new Collector();
  const p: ProcessContext = {
    argv,
    env: new Map(Object.entries(opts.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' })),
    get cwd() {
      return state.cwd;
    },
    // The real busybox here runs with no supplementary groups (node's child gets none), so the model too.
    cred: opts.cred ?? { uid: 0, gid: 0, groups: [] },
    stdin: bufferReader(opts.stdin ?? ''),
    stdout,
    stderr,
    fs: vfsPort(vfs, () => state.cwd),
    sys: minimalSys(state, vfs, opts, (a, o) => runModel(vfs, a, o), { stdout, stderr }),
  };
  const code = await program(p);
  return { stdout: stdout.text(), stderr: stderr.text(), code };
}

/** Runs `busybox ...argv` for real in `cwd`. */
export function runReal(argv: string[], opts: RunOpts): Result {
  const r = spawnSync('busybox', argv, {
    cwd: opts.cwd,
    input: opts.stdin ?? '',
    env: opts.env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 + 9 };
}

/** One entry of a test tree, under the tree's root. */
export type Entry =
  | { path: string; dir: true; mode?: number; uid?: number; gid?: number }
  | { path: string; data: string; mode?: number; uid?: number; gid?: number }
  | { path: string; symlink: string }
  | { path: string; hardlink: string };

/** A fixed mtime (2025-03-04 05:06:07 UTC) that prints with its year in `ls -l`, the same on both sides. */
export const FIXED_MTIME = Date.UTC(2025, 2, 4, 5, 6, 7) / 1000;

/** The same tree on disk (a fresh temp dir) and in a Vfs at the same path, with the host's passwd and group. */
export function makeTree(entries: Entry[]): { dir: string; vfs: Vfs; cleanup: () => void } {
  const dir = mkdtempSync(posix.join(tmpdir(), 'bbx-'));
  const vfs = new Vfs();
  vfs.mkdir('/etc');
  for (const f of ['passwd', 'group']) vfs.writeFile(`/etc/${f}`, readFileSync(`/etc/${f}`));
  let acc = '';
  for (const part of dir.split('/').filter(Boolean)) {
    acc += '/' + part;
    if (!vfs.exists(acc)) vfs.mkdir(acc, 0o755);
  }
  vfs.chmod(dir, 0o700); // mkdtemp's mode
  for (const e of entries) {
    const p = posix.join(dir, e.path);
    if ('dir' in e) {
      mkdirSync(p);
      vfs.mkdir(p);
    } else if ('data' in e) {
      writeFileSync(p, e.data);
      vfs.writeFile(p, e.data);
    } else if ('symlink' in e) {
      symlinkSync(e.symlink, p);
      vfs.symlink(e.symlink, p);
    } else {
      linkSync(posix.join(dir, e.hardlink), p);
      vfs.link(posix.join(dir, e.hardlink), p);
    }
    if (!('symlink' in e) && !('hardlink' in e)) {
      const mode = e.mode ?? ('dir' in e ? 0o755 : 0o644);
      chownSync(p, e.uid ?? 0, e.gid ?? 0);
      vfs.chown(p, e.uid ?? 0, e.gid ?? 0);
      chmodSync(p, mode);
      vfs.chmod(p, mode);
    } else if ('symlink' in e) {
      lchownSync(p, 0, 0);
    }
  }
  // mtimes last: creating entries changed their parents' (symlinks keep theirs: lutimes is not in node:fs sync... use utimes on non-links).
  for (const e of [...entries].reverse()) {
    if ('symlink' in e) continue;
    const p = posix.join(dir, e.path);
    utimesSync(p, FIXED_MTIME, FIXED_MTIME);
    vfs.utimes(p, FIXED_MTIME);
  }
  return { dir, vfs, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The tree most tests use: files of several sizes and modes, nested dirs, symlinks, a hardlink, other owners. */
export const STANDARD_TREE: Entry[] = [
  { path: 'a.txt', data: 'alpha\nbeta\ngamma\ndelta\nepsilon\n' },
  { path: 'b.txt', data: 'one two three\nfour five\n\nsix\n', mode: 0o600, uid: 1, gid: 1 },
  { path: 'nums', data: '10\n9\n100\n2\n2\n-3\n7.5\n' },
  { path: 'csv', data: 'name:uid:shell\nroot:0:/bin/sh\ndaemon:1:/usr/sbin/nologin\nbin:2:/bin/false\n' },
  { path: 'run.sh', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
  { path: 'setuid', data: 'x', mode: 0o4755 },
  { path: 'sub', dir: true },
  { path: 'sub/inner.txt', data: 'inner line\nAlpha again\n' },
  { path: 'sub/deep', dir: true, mode: 0o700 },
  { path: 'sub/deep/leaf', data: '' },
  { path: 'sticky', dir: true, mode: 0o1777 },
  { path: 'other', dir: true, uid: 2, gid: 2 },
  { path: 'link', symlink: 'a.txt' },
  { path: 'dirlink', symlink: 'sub' },
  { path: 'dangling', symlink: 'nowhere' },
  { path: 'hard', hardlink: 'a.txt' },
];

/**
 * Runs argv on both sides, each in a fresh copy of `entries`, and returns both results plus the
 * trees afterwards (so a test can compare what a command changed).
 */
export async function both(argv: string[], opts: Omit<RunOpts, 'cwd'> & { entries?: Entry[]; cwdSub?: string } = {}) {
  const t = makeTree(opts.entries ?? STANDARD_TREE);
  try {
    const cwd = opts.cwdSub ? posix.join(t.dir, opts.cwdSub) : t.dir;
    const real = runReal(argv, { ...opts, cwd });
    // The real run changed the disk tree; build the model tree again from scratch at the same path.
    const model = await runModel(t.vfs, argv, { ...opts, cwd });
    const norm = (r: Result) => ({ ...r, stdout: r.stdout.split(t.dir).join('$T'), stderr: r.stderr.split(t.dir).join('$T') });
    return { real: norm(real), model: norm(model) };
  } finally {
    t.cleanup();
  }
}

/** Runs argv on both sides and lists each tree afterwards with `ls -lnR` (the model's own ls, checked against busybox separately). */
export async function bothWithTrees(argv: string[], opts: Omit<RunOpts, 'cwd'> & { entries?: Entry[] } = {}) {
  const t = makeTree(opts.entries ?? STANDARD_TREE);
  try {
    const real = runReal(argv, { ...opts, cwd: t.dir });
    const model = await runModel(t.vfs, argv, { ...opts, cwd: t.dir });
    const lsArgs = ['ls', '-lnR', '.'];
    const realTree = runReal(lsArgs, { cwd: t.dir }).stdout;
    const modelTree = (await runModel(t.vfs, lsArgs, { cwd: t.dir })).stdout;
    const norm = (s: string) => s.split(t.dir).join('$T').replace(/ [A-Z][a-z]{2} [ \d]\d (\d\d:\d\d| \d{4}) /g, ' TIME ');
    return {
      real: { ...real, stdout: norm(real.stdout), stderr: norm(real.stderr), tree: norm(realTree) },
      model: { ...model, stdout: norm(model.stdout), stderr: norm(model.stderr), tree: norm(modelTree) },
    };
  } finally {
    t.cleanup();
  }
}
