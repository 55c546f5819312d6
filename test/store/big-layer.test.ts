/**
 * Issue 2: "A layer holding a 1 GiB file of zeros (gzip: a few MB) loads and exports with peak RSS
 * under 400 MB". Memory, not time: the load and the export run in a child process (bench/rss-child.ts)
 * whose own peak RSS is asserted.
 *
 * About 6 s on an idle 2-core machine, making the image (streaming, cached in the temp dir)
 * included; `npm run bench -- --only zeros` prints the same figures.
 */
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { zerosImage } from '../../bench/images.js';
import { childRss } from '../../bench/measure.js';

const SIZE = 1 << 30;
const LIMIT_BYTES = 400e6;

describe('a layer holding one big file of zeros', () => {
  it(`loads and exports a 1 GiB file of zeros with peak RSS under 400 MB`, async () => {
    const img = await zerosImage(SIZE); // made streaming, cached in the temp dir
    expect(img.facts.compressedBytes).toBeLessThan(4 << 20); // "gzip: a few MB"
    const r = await childRss(os.tmpdir(), img.oci);
    expect(r.exportedBytes).toBeGreaterThan(SIZE); // the whole file went through the export
    expect(r.maxRssBytes).toBeLessThan(LIMIT_BYTES);
  });
});
