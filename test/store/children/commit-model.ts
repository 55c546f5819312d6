/**
 * What the commit crash test commits: a layer made from a seed (about a MB in all: small enough
 * that a kill lands in the locked part, fsyncs and renames, as often as in the hashing before it) on a parent
 * image, its config the parent's with the new diffID, and a tag named for the seed.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Digest } from '../../../src/digest.js';
import type { CommitOptions, Store } from '../../../src/store/store.js';

export function seededLayer(seed: number): Readable {
  const pack = tar.pack();
  for (let i = 0; i < 12; i++) {
    const block = createHash('sha256').update(`${seed}/${i}`).digest();
    pack.entry({ name: `data/${seed}/f${i}`, mode: 0o644, mtime: new Date(1e12) }, Buffer.concat(Array.from({ length: 1024 + i * 256 }, () => block)));
  }
  pack.entry({ name: `data/${seed}/gone`, type: 'symlink', linkname: '/nowhere', mtime: new Date(1e12) });
  pack.finalize();
  return pack as unknown as Readable;
}

export async function seededCommit(store: Store, parentImage: Digest, seed: number): Promise<CommitOptions> {
  const parent = await store.image(parentImage);
  const { parsed } = await store.config(parentImage);
  return {
    layer: seededLayer(seed),
    parent: parent.chainIds.at(-1) ?? null,
    config: ({ diffIds }) => Buffer.from(JSON.stringify({ ...parsed, rootfs: { type: 'layers', diff_ids: diffIds }, created: '2024-01-02T03:04:05Z' })),
    tag: `crash/seed:${seed}`,
  };
}
