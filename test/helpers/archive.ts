import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import tar, { type Header } from 'tar-stream';
import { Engine } from '../../src/engine/engine.js';

export const CORPUS = path.join(import.meta.dirname, '..', 'fixtures', 'corpus');
export const corpusArchives = (): string[] => fs.readdirSync(CORPUS).filter((f) => f.endsWith('.tar')).sort();
/**
 * Corpus archives Docker 20.10 refuses at `docker load`, with the words it gives after "Error
 * processing tar file(exit status 1): " (asked of the real engine by test/oracle/differential.test.ts).
 * boxlab refuses them at load the same way (oracles.md: Docker's view decides); their listings stay
 * as umoci's answer, for reference. replace-types has a layer that turns the directory
 * x/dir-becomes-file into a file and also whites out x/dir-becomes-file/child beneath it.
 */
export const DOCKER_REFUSES: Record<string, string> = {
  'replace-types.docker.tar': 'failed to mknod("/x/dir-becomes-file/child", S_IFCHR, 0): not a directory',
};
/** The corpus archives Docker (and so boxlab) loads. */
export const loadableCorpus = (): string[] => corpusArchives().filter((a) => !DOCKER_REFUSES[a]);

export interface Member {
  header: Partial<Header> & { name: string };
  data: Buffer;
}

/** Every member of a tar, in order, with its bytes. */
export async function readMembers(data: Buffer): Promise<Member[]> {
  const out: Member[] = [];
  const extract = tar.extract();
  Readable.from([data]).pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ header: { ...entry.header }, data: Buffer.concat(chunks) });
  }
  return out;
}

export async function writeMembers(members: Member[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const m of members) {
    await new Promise<void>((resolve, reject) => {
      const isFile = !m.header.type || m.header.type === 'file';
      pack.entry({ ...m.header, size: isFile ? m.data.length : 0 }, isFile ? m.data : Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A uncompressed layer tar from `[name, content | {type, linkname}]` pairs. */
export async function layerTar(entries: (Member['header'] & { content?: string })[]): Promise<Buffer> {
  return writeMembers(
    entries.map(({ content, ...h }) => ({ header: { mode: h.type === 'directory' ? 0o755 : 0o644, mtime: new Date(1_700_000_000_000), ...h }, data: Buffer.from(content ?? '') })),
  );
}

/** A tar without its end marker: the trailing zero blocks (the two of the marker and the record's padding). */
export function withoutEndMarker(t: Buffer): Buffer {
  let end = t.length;
  while (end >= 512 && t.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return t.subarray(0, end);
}

export const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}` as const;

/** A docker-save archive of one image made of the given plain layer tars. */
export async function dockerArchive(layers: Buffer[], tag = 'test:latest', configExtra: Record<string, unknown> = {}): Promise<Buffer> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha(l)) }, ...configExtra }),
  );
  const cfgName = `${sha(config).slice(7)}.json`;
  const members: Member[] = [{ header: { name: cfgName }, data: config }];
  layers.forEach((l, i) => members.push({ header: { name: `l${i}/layer.tar` }, data: l }));
  members.push({
    header: { name: 'manifest.json' },
    data: Buffer.from(JSON.stringify([{ Config: cfgName, RepoTags: [tag], Layers: layers.map((_, i) => `l${i}/layer.tar`) }])),
  });
  return writeMembers(members);
}

const made: string[] = [];

/** A fresh temporary directory, removed after the test file by removeTmpdirs() (test/support/cleanup.ts). */
export function tmpdir(prefix = 'boxlab-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tmpdir() made in this worker (freshEngine's stores and writeTmp's files too). */
export function removeTmpdirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function freshEngine(): Promise<{ engine: Engine; root: string }> {
  const root = tmpdir('boxlab-store-');
  return { engine: await Engine.open({ root }), root };
}

/** Every file under `dir` with its bytes' digest: a store's exact state, to compare before and after. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isDirectory()) {
        out[rel + '/'] = 'dir';
        visit(p);
      } else out[rel] = sha(fs.readFileSync(p));
    }
  };
  visit(dir);
  return out;
}

export function writeTmp(data: Buffer, name = 'archive.tar'): string {
  const p = path.join(tmpdir(), name);
  fs.writeFileSync(p, data);
  return p;
}
