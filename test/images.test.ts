/**
 * The bundled images in images/: committed bytes equal a fresh build (the CI check that they are up to
 * date), and real tools (skopeo, umoci) unpack them to the root filesystem their specs describe.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alpine, bundledArchives, deep, webapp } from '../images/specs.js';
import type { ImageSpec, Op } from '../src/oci/build.js';
import { describeWithTool, needRoot, needTool } from './support/tools.js';

const imagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'images');
const run = promisify(execFile);

describe('bundled images', () => {
  for (const a of bundledArchives) {
    it(`images/${a.file} equals a fresh build of its spec`, async () => {
      const committed = await readFile(join(imagesDir, a.file)).catch(() => undefined);
      const fresh = await a.build();
      const hint = `images/${a.file} is out of date with images/*.ts or src/oci/build: run \`npm run images\` and commit the result`;
      expect(committed, `images/${a.file} is missing: run \`npm run images\``).toBeDefined();
      if (!committed!.equals(fresh)) expect.fail(`${hint}\n  members that differ: ${(await differing(committed!, fresh)).join(', ')}`);
    });

    it(`images/${a.file} is small (< 200 KB)`, async () => {
      expect((await readFile(join(imagesDir, a.file))).length).toBeLessThan(200_000);
    });
  }
});

/** Names of the archive members whose header or data differ between two tars. */
async function differing(a: Buffer, b: Buffer): Promise<string[]> {
  const tars = new Map<Buffer, Set<string>>(); // per archive: sha256 of every gunzipped member
  const index = async (buf: Buffer) => {
    const m = new Map<string, string>();
    const plain = new Set<string>();
    tars.set(buf, plain);
    const ex = tar.extract();
    Readable.from([buf]).pipe(ex as unknown as NodeJS.WritableStream);
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      const data = Buffer.concat(chunks);
      if (data[0] === 0x1f && data[1] === 0x8b) plain.add(createHash('sha256').update(gunzipSync(data)).digest('hex'));
      const { name, mode, uid, gid, mtime, type, linkname } = e.header;
      m.set(name, JSON.stringify([mode, uid, gid, mtime, type, linkname, createHash('sha256').update(data).digest('hex')]));
    }
    return m;
  };
  let x: Map<string, string>, y: Map<string, string>;
  try {
    [x, y] = await Promise.all([index(a), index(b)]);
  } catch (e) {
    return [`(not a readable tar: ${(e as Error).message})`];
  }
  const names = [...new Set([...x.keys(), ...y.keys()])].filter((n) => x.get(n) !== y.get(n));
  if (names.length === 0) return ['(none: the tar framing itself differs)'];
  const [ga, gb] = [tars.get(a)!, tars.get(b)!];
  if (ga.size > 0 && ga.size === gb.size && [...ga].every((h) => gb.has(h)))
    names.push('(every layer tar is the same: only the gzip encoding differs, so this zlib compresses differently from the one that built the committed archive)');
  return names;
}

// ---- what a spec says the rootfs is: a tiny model of applying ops, independent of the tar writer ----

interface Inode {
  kind: 'f' | 'd' | 'l';
  mode: number;
  uid: number;
  gid: number;
  data?: Buffer;
  target?: string;
}

function applySpec(tree: Map<string, Inode>, spec: ImageSpec): void {
  const under = (p: string) => [...tree.keys()].filter((k) => k.startsWith(`${p}/`));
  for (const step of spec.steps) {
    if (!('ops' in step)) continue;
    const mine = new Set<string>();
    const mkparents = (path: string) => {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const p = parts.slice(0, i).join('/');
        if (!tree.has(p)) {
          const a = step.parentAttrs ?? {};
          tree.set(p, { kind: 'd', mode: a.mode ?? 0o755, uid: a.uid ?? 0, gid: a.gid ?? 0 });
        }
      }
    };
    const put = (path: string, n: Inode) => {
      mkparents(path);
      if (tree.get(path)?.kind === 'd' && n.kind !== 'd') for (const k of under(path)) tree.delete(k);
      tree.set(path, n);
      mine.add(path);
    };
    for (const op of step.ops as Op[]) {
      if (op.op === 'raw') throw new Error('bundled images use no raw ops');
      const path = op.path.replace(/^\/+|\/+$/g, '');
      switch (op.op) {
        case 'dir':
          put(path, { kind: 'd', mode: op.mode ?? 0o755, uid: op.uid ?? 0, gid: op.gid ?? 0 });
          break;
        case 'file':
          put(path, { kind: 'f', mode: op.mode ?? 0o644, uid: op.uid ?? 0, gid: op.gid ?? 0, data: Buffer.from(op.content) });
          break;
        case 'symlink':
          put(path, { kind: 'l', mode: 0o777, uid: op.uid ?? 0, gid: op.gid ?? 0, target: op.target });
          break;
        case 'hardlink':
          put(path, tree.get(op.target)!); // the same inode object: one file, two names
          break;
        case 'whiteout':
          tree.delete(path);
          for (const k of under(path)) tree.delete(k);
          break;
        case 'opaque':
          for (const k of under(path)) if (!mine.has(k)) tree.delete(k);
          break;
      }
    }
  }
}

function render(entries: Array<[string, Inode]>): string[] {
  const first = new Map<Inode, string>();
  const count = new Map<Inode, number>();
  for (const [p, n] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!first.has(n)) first.set(n, p);
    count.set(n, (count.get(n) ?? 0) + 1);
  }
  return entries
    .map(([p, n]) => {
      const head = `${n.kind} ${n.mode.toString(8).padStart(4, '0')} ${n.uid}:${n.gid} /${p}`;
      if (n.kind === 'l') return `${head} ${n.target}`;
      if (n.kind === 'd') return head;
      const link = count.get(n)! > 1 ? ` link=/${first.get(n)}` : '';
      return `${head} ${createHash('sha256').update(n.data!).digest('hex').slice(0, 16)} ${n.data!.length}${link}`;
    })
    .sort();
}

async function walk(root: string): Promise<Array<[string, Inode]>> {
  const out: Array<[string, Inode]> = [];
  const inodes = new Map<number, Inode>();
  const visit = async (rel: string) => {
    for (const name of await readdir(join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, p));
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      if (st.isDirectory()) {
        out.push([p, { kind: 'd', ...base }]);
        await visit(p);
      } else if (st.isSymbolicLink()) out.push([p, { kind: 'l', ...base, target: await readlink(join(root, p)) }]);
      else {
        const n = (st.nlink > 1 && inodes.get(st.ino)) || { kind: 'f' as const, ...base, data: await readFile(join(root, p)) };
        inodes.set(st.ino, n);
        out.push([p, n]);
      }
    }
  };
  await visit('');
  return out;
}

// ---- the real tools ----

const umoci = needTool('umoci', 'apt-get install umoci');
const skopeo = needTool('skopeo', 'apt-get install skopeo');

describeWithTool([needRoot(), umoci, skopeo], 'umoci unpacks the bundled images to the rootfs their specs describe', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'boxlab-images-umoci-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const cases: Array<{ file: string; specs: ImageSpec[] }> = [
    { file: 'alpine.oci.tar', specs: [alpine] },
    { file: 'webapp.oci.tar', specs: [alpine, webapp] },
    { file: 'deep.docker.tar', specs: [deep] },
  ];
  for (const { file, specs } of cases) {
    it(`umoci unpack of images/${file}`, async () => {
      const name = specs.at(-1)!.name;
      const layout = join(work, `${file}.layout`);
      const bundle = join(work, `${file}.bundle`);
      let image: string;
      if (file.endsWith('.oci.tar')) {
        // An OCI archive extracted is an OCI image layout; its ref.name annotation is the tag.
        await run('mkdir', ['-p', layout]);
        await run('tar', ['-xf', join(imagesDir, file), '-C', layout]);
        image = `${layout}:${name}`;
      } else {
        await run('skopeo', ['copy', '-q', `docker-archive:${join(imagesDir, file)}`, `oci:${layout}:t`]);
        image = `${layout}:t`;
      }
      await run('umoci', ['unpack', '--image', image, bundle]);
      const tree = new Map<string, Inode>();
      for (const s of specs) applySpec(tree, s);
      expect(render(await walk(join(bundle, 'rootfs')))).toEqual(render([...tree]));
    });
  }
});
