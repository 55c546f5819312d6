#!/usr/bin/env node
/**
 * The least a cold Node process can do for a durable, verified load, as a reference for the CLI's
 * figure (bench/load.ts times it as a whole process, as it times `boxlab load`): for each layer blob
 * of the archive (offsets given), hash it, write it, gunzip it, hash that, write it, list its
 * members with tar-stream, fsync both files and rename them into place. No JSON, no checks against
 * descriptors, no lock, no staging of other members: what is left when the engine is taken away.
 *
 *   node bench/bare-load.mjs ARCHIVE OUTDIR OFFSET:SIZE:GZIP...
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';

const [archive, out, ...blobs] = process.argv.slice(2);
if (!archive || !out || blobs.length === 0) {
  process.stderr.write('usage: bare-load.mjs ARCHIVE OUTDIR OFFSET:SIZE:GZIP...\n');
  process.exit(2);
}

/** Ordered writes to a new file, fsynced and renamed to `dest` by `done()`. */
function sink(dest) {
  const tmp = `${dest}.tmp`;
  const ws = fs.createWriteStream(tmp, { highWaterMark: 8 << 20 });
  return {
    write: (c) => ws.write(c) || new Promise((r) => ws.once('drain', r)),
    done: async () => {
      await new Promise((resolve, reject) => ws.end((err) => (err ? reject(err) : resolve())));
      const fh = await fsp.open(tmp, 'r');
      await fh.sync();
      await fh.close();
      await fsp.rename(tmp, dest);
    },
  };
}

await fsp.mkdir(out, { recursive: true });
let members = 0;
for (const [i, spec] of blobs.entries()) {
  const [offset, size, gz] = spec.split(':').map(Number);
  const blobHash = createHash('sha256');
  const diffHash = createHash('sha256');
  const blob = sink(path.join(out, `blob${i}`));
  const diff = sink(path.join(out, `diff${i}`));
  const extract = tar.extract();
  extract.on('entry', (_h, s, next) => {
    members++;
    s.on('end', next);
    s.resume();
  });
  const listed = new Promise((resolve, reject) => extract.on('finish', resolve).on('error', reject));
  const uncompressed = (c) => {
    diffHash.update(c);
    return Promise.all([diff.write(c), extract.write(c) || new Promise((r) => extract.once('drain', r))]);
  };
  const gunzip = gz ? zlib.createGunzip({ chunkSize: 1 << 20 }) : undefined;
  const inflated = gunzip
    ? (async () => {
        // hash and list on the next turn, so zlib inflates the next chunk meanwhile (as boxlab does)
        for await (const c of gunzip) await new Promise((r) => setImmediate(() => uncompressed(c).then(r)));
      })()
    : Promise.resolve();
  for await (const c of fs.createReadStream(archive, { start: offset, end: offset + size - 1, highWaterMark: 1 << 20 })) {
    blobHash.update(c);
    const w = blob.write(c);
    if (gunzip) {
      if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
    } else await uncompressed(c);
    await w;
  }
  gunzip?.end();
  await inflated;
  extract.end();
  await listed;
  await Promise.all([blob.done(), diff.done()]);
  process.stdout.write(`blob${i} sha256:${blobHash.digest('hex')} diff sha256:${diffHash.digest('hex')}\n`);
}
process.stdout.write(`${members} members\n`);
