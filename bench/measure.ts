/**
 * What the load benchmark measures, one function a measurement: boxlab's load (in process and by
 * the CLI), the floor (streaming gunzip + sha256 of the layer blobs, in process), `tar -xzf`, `cp`,
 * and a child's peak RSS. Each returns seconds (or bytes); `repeat` interleaves them so that every
 * round sees the same machine, and the report quotes medians.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { Engine } from '../src/index.js';
import type { RssReport } from './rss-child.js';

export const REPO = path.resolve(import.meta.dirname, '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/**
 * Runs every named measurement once per round, `rounds` times, in a rotating order (so none always
 * goes first on a cold cache), and returns each one's times.
 */
export async function repeat(rounds: number, runs: Record<string, () => Promise<number>>): Promise<Record<string, number[]>> {
  const names = Object.keys(runs);
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      out[name]!.push(await runs[name]!());
    }
  }
  return out;
}

/** A member of a tar archive: where its data starts and how long it is. */
export interface ArchiveMember {
  name: string;
  offset: number;
  size: number;
}

/** Walks a (plain) tar's headers without reading the data: ustar and pax headers, as our archives have. */
export async function archiveMembers(file: string): Promise<ArchiveMember[]> {
  const fh = await fsp.open(file, 'r');
  const out: ArchiveMember[] = [];
  try {
    const h = Buffer.alloc(512);
    let pos = 0;
    let paxPath: string | undefined;
    for (;;) {
      const { bytesRead } = await fh.read(h, 0, 512, pos);
      if (bytesRead < 512 || h.every((b) => b === 0)) break;
      const field = (a: number, b: number) => h.subarray(a, b).toString('latin1').replace(/\0.*$/s, '');
      const size = parseInt(field(124, 136).trim() || '0', 8);
      const type = field(156, 157) || '0';
      const prefix = field(345, 500);
      const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      if (type === 'x') {
        const pax = Buffer.alloc(size);
        await fh.read(pax, 0, size, pos + 512);
        paxPath = /\d+ path=([^\n]*)\n/.exec(pax.toString('utf8'))?.[1];
      } else {
        if (type === '0' || type === '7') out.push({ name, offset: pos + 512, size });
        paxPath = undefined;
      }
      pos += 512 + Math.ceil(size / 512) * 512;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** The layer blobs of an archive: members that are gzip streams or plain tars, with their kind. */
export async function layerBlobs(archive: string): Promise<(ArchiveMember & { gzip: boolean })[]> {
  const out: (ArchiveMember & { gzip: boolean })[] = [];
  const fh = await fsp.open(archive, 'r');
  try {
    for (const m of await archiveMembers(archive)) {
      if (m.size < 512) continue;
      const head = Buffer.alloc(512);
      await fh.read(head, 0, 512, m.offset);
      if (head[0] === 0x1f && head[1] === 0x8b) out.push({ ...m, gzip: true });
      else if (head.subarray(257, 262).toString('latin1') === 'ustar') out.push({ ...m, gzip: false });
    }
  } finally {
    await fh.close();
  }
  return out;
}

/** A sink that hashes what it is given. */
function hashSink(hash: ReturnType<typeof createHash>): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb();
    },
  });
}

/**
 * The floor: what any verifying loader must do at least. For each layer blob, read its bytes from
 * the archive and compute the diffID (gunzip + sha256 of the tar; a plain tar is only hashed).
 * Returns the diffIDs, so a caller can check they are the ones boxlab computed.
 */
export async function floorLoad(archive: string, blobs: readonly (ArchiveMember & { gzip: boolean })[]): Promise<string[]> {
  const ids: string[] = [];
  for (const b of blobs) {
    const hash = createHash('sha256');
    const src = fs.createReadStream(archive, { start: b.offset, end: b.offset + b.size - 1, highWaterMark: 1 << 20 });
    if (b.gzip) await pipeline(src, zlib.createGunzip({ chunkSize: 1 << 18 }), hashSink(hash));
    else await pipeline(src, hashSink(hash));
    ids.push(`sha256:${hash.digest('hex')}`);
  }
  return ids;
}

/** Copies each layer blob out of the archive into `dir` (for `tar -xzf`); returns their paths. */
export async function extractBlobs(archive: string, blobs: readonly ArchiveMember[], dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, b] of blobs.entries()) {
    const file = path.join(dir, `blob${i}`);
    await pipeline(fs.createReadStream(archive, { start: b.offset, end: b.offset + b.size - 1 }), fs.createWriteStream(file));
    out.push(file);
  }
  return out;
}

/** Runs a command to its end; rejects, with the tail of its stderr, unless it exits 0. */
export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
}

/** A fresh directory under `parent`, removed by the returned function. */
export async function freshDir(parent: string, prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await fsp.mkdtemp(path.join(parent, prefix));
  return { dir, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

/** `Engine.load` of `archive` into a fresh store under `parent`, timed (opening the store is not). */
export async function engineLoad(archive: string, parent: string): Promise<number> {
  const store = await freshDir(parent, 'store-');
  try {
    const engine = await Engine.open({ root: store.dir });
    return await seconds(() => engine.images.load(archive));
  } finally {
    await store.remove();
  }
}

/** `boxlab --root STORE load -i ARCHIVE -q`, the built CLI, timed as a whole process. */
export async function cliLoad(archive: string, parent: string): Promise<number> {
  const store = await freshDir(parent, 'store-');
  try {
    return await seconds(() => run(process.execPath, [CLI, '--root', store.dir, 'load', '-q', '-i', archive]));
  } finally {
    await store.remove();
  }
}

/**
 * bench/bare-load.mjs as a whole process: the least a cold Node process does for a durable, verified
 * load of these blobs (hash, write, gunzip, hash, write, list members, fsync, rename), a reference
 * for the CLI's figure. Checks that it computed the diffIDs the floor did.
 */
export async function bareLoad(archive: string, blobs: readonly (ArchiveMember & { gzip: boolean })[], parent: string, diffIds: readonly string[]): Promise<number> {
  const out = await freshDir(parent, 'bare-');
  try {
    let said = '';
    const t = await seconds(async () => {
      said = await run(process.execPath, [path.join(REPO, 'bench', 'bare-load.mjs'), archive, out.dir, ...blobs.map((b) => `${b.offset}:${b.size}:${b.gzip ? 1 : 0}`)]);
    });
    const got = [...said.matchAll(/ diff (sha256:[0-9a-f]{64})/g)].map((m) => m[1]);
    if (got.join() !== diffIds.join()) throw new Error(`bare-load.mjs computed ${got.join()}, the floor ${diffIds.join()}`);
    return t;
  } finally {
    await out.remove();
  }
}

/** The CLI's start-up: `boxlab --root EMPTY images`, which loads the engine and reads an empty store. */
export async function cliStartup(parent: string): Promise<number> {
  const store = await freshDir(parent, 'store-');
  try {
    return await seconds(() => run(process.execPath, [CLI, '--root', store.dir, 'images']));
  } finally {
    await store.remove();
  }
}

/** `tar -xzf BLOB -C DIR` for each layer blob into one fresh dir, timed together. */
export async function tarExtract(blobFiles: readonly string[], parent: string): Promise<number> {
  const out = await freshDir(parent, 'tar-');
  try {
    return await seconds(async () => {
      for (const f of blobFiles) await run('tar', ['-xzf', f, '-C', out.dir]);
    });
  } finally {
    await out.remove();
  }
}

/** `cp ARCHIVE DIR/`: the bare copy, timed as a process. */
export async function copyArchive(archive: string, parent: string): Promise<number> {
  const out = await freshDir(parent, 'cp-');
  try {
    return await seconds(() => run('cp', [archive, out.dir]));
  } finally {
    await out.remove();
  }
}

/**
 * Loads and exports `archive` in a child process (its own peak RSS), store under `parent`.
 * With no archive, the child only starts and opens a store: the baseline.
 */
export async function childRss(parent: string, archive?: string): Promise<RssReport> {
  const store = await freshDir(parent, 'rss-');
  try {
    const args = ['--import', 'tsx', path.join(REPO, 'bench', 'rss-child.ts'), ...(archive ? [archive, store.dir] : ['--baseline'])];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
      let s = '';
      child.stdout.on('data', (d: Buffer) => (s += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`rss child exited ${code}`))));
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as RssReport;
  } finally {
    await store.remove();
  }
}
