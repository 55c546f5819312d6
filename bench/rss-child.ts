/**
 * Run in a child process by the benchmark and by test/store/big-layer.test.ts, so that its peak RSS
 * is the load's and the export's alone:
 *
 *   node --import tsx bench/rss-child.ts ARCHIVE STORE_ROOT   # load ARCHIVE, export its image
 *   node --import tsx bench/rss-child.ts --baseline           # only start and open an empty store
 *
 * Prints one JSON line: { maxRssBytes, loadMs, exportMs, exportedBytes }. The export goes to a
 * sink that counts bytes (a file would only add page cache, not RSS).
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { Engine } from '../src/index.js';

export interface RssReport {
  maxRssBytes: number;
  loadMs: number;
  exportMs: number;
  exportedBytes: number;
}

async function main(): Promise<void> {
  const [archive, root] = process.argv.slice(2);
  const report: RssReport = { maxRssBytes: 0, loadMs: 0, exportMs: 0, exportedBytes: 0 };
  if (archive === '--baseline' || !archive || !root) {
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'boxlab-rss-'));
    await Engine.open({ root: tmp });
    await fsp.rm(tmp, { recursive: true, force: true });
  } else {
    const engine = await Engine.open({ root });
    let t = performance.now();
    const res = await engine.images.load(archive);
    report.loadMs = performance.now() - t;
    const id = res.images[0]!.id;
    t = performance.now();
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        report.exportedBytes += chunk.length;
        cb();
      },
    });
    await engine.images.export(id, sink);
    report.exportMs = performance.now() - t;
  }
  // resourceUsage().maxRSS is in kilobytes (getrusage's ru_maxrss)
  report.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
