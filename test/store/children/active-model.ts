/**
 * The state the active-snapshot crash test persists: record I is `payload(I)`; a checkpoint after
 * record N is a tar holding `upto` (N) and `pad`, a filler big enough that a kill often lands while
 * it is written. checkState() asserts that what recovery gives is records 1..N for some N, each
 * whole, and returns N.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Recovered } from '../../../src/store/store.js';

/** Mostly small records; every sixth about a MB, so that a kill can land inside its write(2) and tear it. */
export function payload(i: number): Buffer {
  const body = createHash('sha256').update(String(i)).digest('hex').repeat(i % 6 === 0 ? 10_000 + (i % 7) * 1000 : 1 + (i % 97));
  return Buffer.from(`record ${i} ${body}`);
}

function pad(n: number): Buffer {
  return Buffer.alloc(256 * 1024 + (n % 5) * 65536, n % 251);
}

export function checkpointTar(n: number): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'upto' }, String(n));
  pack.entry({ name: 'pad' }, pad(n));
  pack.finalize();
  return pack as unknown as Readable;
}

async function readCheckpoint(file: string): Promise<number> {
  const extract = tar.extract();
  const files = new Map<string, Buffer>();
  extract.on('entry', (h, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      files.set(h.name, Buffer.concat(chunks));
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => extract.on('finish', () => resolve()).on('error', reject));
  fs.createReadStream(file).pipe(extract);
  await done;
  const upto = Number(files.get('upto')?.toString());
  if (!Number.isInteger(upto) || !files.get('pad')?.equals(pad(upto))) throw new Error(`checkpoint ${file} is not whole`);
  return upto;
}

export async function checkState(r: Recovered): Promise<number> {
  let n = r.checkpoint ? await readCheckpoint(r.checkpoint) : 0;
  for (const rec of r.records) {
    n++;
    if (!rec.equals(payload(n))) throw new Error(`record ${n} is not what was appended: ${rec.subarray(0, 40).toString()}`);
  }
  return n;
}
