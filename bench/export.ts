/**
 * Times `images.export` of an image (load once, export three times to a discarding stream) and
 * reports peak RSS. SRC is a boxlab checkout, so two versions can be raced on one archive:
 *   bench/make-big-image.sh && npx tsx bench/export.ts . /tmp/boxlab-big-export/big.tar
 */
import { Writable } from 'node:stream';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
const [src, archive] = process.argv.slice(2);
const { Engine } = await import(path.join(src!, 'src/engine/engine.ts'));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ov-bench-store-'));
try {
  const engine = await Engine.open({ root });
  const t0 = performance.now();
  const { images } = await engine.images.load(archive);
  console.log(`load ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  for (let i = 0; i < 3; i++) {
    let bytes = 0;
    const sink = new Writable({ write(c, _e, cb) { bytes += c.length; cb(); } });
    const t = performance.now();
    await engine.images.export(images[0].id, sink);
    console.log(`export ${((performance.now() - t) / 1000).toFixed(2)} s, ${bytes} bytes, rss now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  }
  console.log(`peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
