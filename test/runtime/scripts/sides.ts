/**
 * The two sides of the whole-script differential. The kernel's: kernel-side.mjs under `unshare -m`
 * (a real overlay of the image's layers, the image's own busybox chrooted in it). boxlab's: a boxlab
 * daemon driven by the real docker CLI (`run -d`, `exec`, `diff`, `export`, `rm -f`). Each gives, per
 * script, what the comparison needs in one shape.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import tar from 'tar-stream';

export const IMAGE = 'dk-build:latest';
export const ARCHIVE = fileURLToPath(new URL('../../fixtures/corpus/dk-build.dsave.tar', import.meta.url));
const KERNEL_SIDE = fileURLToPath(new URL('./kernel-side.mjs', import.meta.url));

/** What `docker exec` of the image's config gives a process (no -e, no -t): its Env, HOSTNAME, HOME. */
export const EXEC_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: 'scripts', HOME: '/root' };

export interface Entry {
  path: string;
  type: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  sha?: string;
  target?: string;
  /** The hardlink group, named by its smallest path; absent for a file with one link. */
  link?: string;
}

export interface Outcome {
  stdout: string;
  stderr: string;
  status: number;
  /** The merged tree, without what the container's mounts and init layer own. */
  merged: Entry[];
  /** `docker diff`, sorted. */
  diff: string[];
}

/** Paths a container's mounts or init layer own, left out of the merged tree (kernel-side.mjs's SKIP). */
const SKIP = ['/dev', '/proc', '/sys', '/.dockerenv', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab'];
const skipped = (p: string) => SKIP.some((s) => p === s || p.startsWith(`${s}/`));

/** Hardlink groups named by their smallest path, entries sorted: both sides in one form. */
export function normalise(entries: Entry[]): Entry[] {
  const groups = new Map<string, string[]>();
  for (const e of entries) if (e.link) groups.set(e.link, [...(groups.get(e.link) ?? []), e.path]);
  const name = new Map<string, string>();
  for (const paths of groups.values()) {
    const min = [...paths].sort()[0]!;
    for (const p of paths) name.set(p, min);
  }
  return entries
    .filter((e) => !skipped(e.path))
    .map((e) => {
      const { link: _link, ...rest } = e;
      const n = name.get(e.path);
      return n && (groups.get(e.link!)?.length ?? 0) > 1 ? { ...rest, link: n } : rest;
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Runs the scripts on the kernel's overlay, one fresh upper directory each. */
export async function kernelRun(scripts: string[]): Promise<Outcome[]> {
  const child = promisify(execFile)('unshare', ['-m', process.execPath, KERNEL_SIDE], { maxBuffer: 256 << 20 });
  child.child.stdin!.end(JSON.stringify({ archive: ARCHIVE, env: EXEC_ENV, scripts }));
  const out = JSON.parse((await child).stdout) as Outcome[];
  return out.map((o) => ({ ...o, merged: normalise(o.merged) }));
}

export interface Docker {
  (args: string[], stdin?: string): Promise<{ code: number; stdout: Buffer; stderr: string }>;
}

/** The docker CLI against one daemon's socket; never throws for a non-zero exit. */
export function dockerAt(sock: string): Docker {
  return (args, stdin) =>
    new Promise((resolve, reject) => {
      const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CLI_HINTS: 'false' } });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
      child.stdin.end(stdin);
    });
}

/** The merged tree as `docker export` writes it. */
export async function exported(bytes: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const links: [string, string][] = [];
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      const path = `/${h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`;
      const base = { path, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
      const data = Buffer.concat(parts);
      if (path === '/') return next();
      if (h.type === 'directory') entries.push({ ...base, type: 'dir' });
      else if (h.type === 'file') entries.push({ ...base, type: 'file', size: data.length, sha: createHash('sha256').update(data).digest('hex').slice(0, 16) });
      else if (h.type === 'symlink') entries.push({ ...base, type: 'symlink', target: h.linkname ?? '' });
      else if (h.type === 'link') links.push([path, `/${(h.linkname ?? '').replace(/^\.?\/+/, '')}`]);
      else entries.push({ ...base, type: 'other' });
      next();
    });
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    ex.end(bytes);
  });
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const [path, target] of links) {
    const t = byPath.get(target);
    if (!t) throw new Error(`export: hardlink ${path} to ${target}, which it does not hold`);
    t.link = target;
    entries.push({ ...t, path, link: target });
  }
  return entries;
}

/** Runs one script in a fresh boxlab container of the image: `docker exec C sh -c SCRIPT`. */
export async function boxlabRun(docker: Docker, script: string): Promise<Outcome> {
  const run = await docker(['run', '-d', '--pull', 'never', '--network', 'none', '--hostname', EXEC_ENV.HOSTNAME, IMAGE, 'sh', '-c', 'sleep 3600']);
  if (run.code !== 0) throw new Error(`docker run: ${run.stderr}`);
  const id = run.stdout.toString().trim();
  try {
    const r = await docker(['exec', id, 'sh', '-c', script]);
    const diff = await docker(['diff', id]);
    const exp = await docker(['export', id]);
    if (exp.code !== 0) throw new Error(`docker export: ${exp.stderr}`);
    return {
      stdout: r.stdout.toString(),
      stderr: r.stderr,
      status: r.code,
      merged: normalise(await exported(exp.stdout)),
      diff: diff.stdout.toString().split('\n').filter(Boolean).sort(),
    };
  } finally {
    await docker(['rm', '-f', id]);
  }
}
