import { closeSync, openSync, readSync } from 'node:fs';
import type { Digest } from '../digest.js';
import type { LayerEntry, LayerSource } from '../layer/types.js';
import type { LayerRecord } from '../store/store.js';

/** A stored layer seen as a LayerSource: reads a file's bytes from the layer tar when asked. */
export class StoredLayer implements LayerSource {
  constructor(
    readonly record: LayerRecord,
    readonly entries: readonly LayerEntry[],
    private readonly tarPath: string,
  ) {}
  get diffId(): Digest {
    return this.record.diffId;
  }
  readContent(entry: LayerEntry, offset = 0, length = entry.size - offset): Buffer {
    const want = Math.max(0, Math.min(length, entry.size - offset));
    const buf = Buffer.allocUnsafe(want);
    if (want === 0) return buf;
    const fd = openSync(this.tarPath, 'r');
    try {
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, entry.offset + offset + got);
        if (n === 0) return buf.subarray(0, got);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return buf;
  }
}
