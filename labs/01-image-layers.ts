/**
 * Lab 01: image layers and content addressing.
 *
 * Loads the bundled images into a fresh store, walks an image's layers to show what each one
 * added, changed and whited out, shows the layers two images share (stored once), and changes one
 * byte of a base image to show every identity above it change.
 *
 *   npx tsx labs/01-image-layers.ts
 */
import * as path from 'node:path';
import { shortId } from '../src/digest.js';
import { buildImage, writeOciArchive } from '../src/oci/build.js';
import type { Engine } from '../src/engine/engine.js';
import { humanSize, table } from '../src/cli/format.js';
import { alpine, webapp } from '../images/specs.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadLines } from '../src/docker-words.js';

export async function run(out: LabOutput = stdout, given?: Engine): Promise<void> {
  const lab = given ? undefined : await labEngine();
  const engine = given ?? lab!.engine;
  try {
    heading(out, 'Load the bundled images (every blob and diffID verified on the way in)');
    for (const f of ['alpine.oci.tar', 'webapp.oci.tar', 'deep.docker.tar']) {
      const res = await engine.images.load(path.join(IMAGES_DIR, f));
      line(out, `$ boxlab load -i images/${f}\n${loadLines(res).join('\n')}`);
    }
    const images = await engine.images.list();
    line(out, '\n' + table(['REPOSITORY:TAG', 'IMAGE ID', 'LAYERS', 'SIZE'], images.map((i) => [i.tags.join(', '), shortId(i.id), String(i.layers), humanSize(i.size)])));
    note(out, 'An image ID is the sha256 of the image config JSON; the config lists each layer by its diffID.');

    heading(out, 'Walk the layers of boxlab/webapp:1.0');
    const report = await engine.images.layers('boxlab/webapp:1.0');
    for (const [i, l] of report.layers.entries()) {
      const c = l.changes;
      line(out, `layer ${i}  diffID ${shortId(l.diffId)}  chainID ${shortId(l.chainId)}  +${c.added} ~${c.changed} -${c.removed}  ${l.createdBy}`);
      const shown = c.changes.filter((x) => x.kind !== 'added' || c.added <= 6).slice(0, 6);
      for (const x of shown) line(out, `    ${{ added: 'A', changed: 'C', removed: 'D' }[x.kind]} /${x.path}`);
      if (c.changes.length > shown.length) line(out, `    … ${c.changes.length - shown.length} more`);
    }
    note(
      out,
      'C: a layer that rewrites a lower file carries the whole new file (copy-up at build time).\n' +
        'D: a whiteout (.wh.NAME) deletes a lower path; an opaque marker (.wh..wh..opq) empties a directory.\n' +
        `dive's efficiency score for this image: ${(report.efficiency.score * 100).toFixed(1)} %, wasted ${humanSize(report.efficiency.wastedBytes)}.`,
    );

    heading(out, 'Layers shared between two images are stored once');
    const a = await engine.images.imageRecord('boxlab/alpine:3.20');
    const w = await engine.images.imageRecord('boxlab/webapp:1.0');
    const shared = w.record.chainIds.filter((c) => a.record.chainIds.includes(c));
    line(out, `alpine chainIDs: ${a.record.chainIds.map(shortId).join(' ')}`);
    line(out, `webapp chainIDs: ${w.record.chainIds.map(shortId).join(' ')}`);
    line(out, `shared: ${shared.map(shortId).join(' ')}`);
    const df = await engine.images.df();
    line(out, `store: ${humanSize(df.totalBytes)} of blobs, ${humanSize(df.sharedBytes)} shared between images, ${humanSize(df.uniqueBytes)} unique`);
    note(out, 'webapp was built FROM alpine: its first layer is the same blob, so the store keeps one copy.');

    heading(out, 'Content addressing: change one byte of the base, watch every identity above it change');
    const base2 = await buildImage({
      ...alpine,
      steps: alpine.steps.map((s, i) =>
        i !== 0 || !('ops' in s)
          ? s
          : { ...s, ops: s.ops.map((op) => (op.op === 'file' && op.path.replace(/^\//, '') === 'etc/os-release' ? { ...op, content: String(op.content).replace('3.20.3', '3.20.4') } : op)) },
      ),
    });
    const app2 = await buildImage(webapp, base2);
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-lab01-')), 'webapp-rebased.oci.tar');
    fs.writeFileSync(tmp, await writeOciArchive([{ ...app2, name: 'boxlab/webapp:rebased' }]));
    await engine.images.load(tmp);
    const w2 = await engine.images.imageRecord('boxlab/webapp:rebased');
    const rows = w.record.diffIds.map((d, i) => [
      String(i),
      `${shortId(d)} ${d === w2.record.diffIds[i] ? '=' : '≠'} ${shortId(w2.record.diffIds[i]!)}`,
      `${shortId(w.record.chainIds[i]!)} ${w.record.chainIds[i] === w2.record.chainIds[i] ? '=' : '≠'} ${shortId(w2.record.chainIds[i]!)}`,
    ]);
    line(out, table(['LAYER', 'DIFF ID (1.0 vs rebased)', 'CHAIN ID (1.0 vs rebased)'], rows));
    line(out, `image ID: ${shortId(w.record.id)} ${w.record.id === w2.record.id ? '=' : '≠'} ${shortId(w2.record.id)}`);
    note(
      out,
      'One byte in /etc/os-release changed the base layer\'s diffID. The layers above hold the same bytes,\n' +
        'so their diffIDs are equal, but every chainID above the change differs: a chainID names a layer\n' +
        'together with everything below it. The config lists new diffIDs, so the image ID changes too.',
    );
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  } finally {
    lab?.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
