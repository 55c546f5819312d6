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
  readContent(entry: LayerEntry): Buffer {
    const buf = Buffer.alloc(entry.size);
    if (entry.size === 0) return buf;
    const fd = openSync(this.tarPath, 'r');
    try {
      let got = 0;
      while (got < entry.size) {
        const n = readSync(fd, buf, got, entry.size - got, entry.offset + got);
        if (n === 0) break;
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return buf;
  }
}
