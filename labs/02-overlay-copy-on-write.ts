/**
 * Lab 02: the overlay filesystem, copy-on-write.
 *
 * Mounts boxlab/webapp:1.0 the way a container gets its root filesystem (the image's layers as
 * read-only lowers, one empty upper layer) and watches, step by step, what a write does: a lower
 * file copied up (and the bytes it costs), a hardlink broken by copy-up, a whiteout left by a
 * delete, a directory made opaque by rm + mkdir, a directory rename refused with EXDEV and `mv`
 * falling back to copy-and-delete. At the end the upper layer is packed as `docker commit` would.
 *
 *   npx tsx labs/02-overlay-copy-on-write.ts
 */
import * as path from 'node:path';
import type { Engine } from '../src/engine/engine.js';
import { FsError } from '../src/errors.js';
import { mountOverlay, mv, isWhiteout, isOpaque, upperTarMembers, type Mount } from '../src/overlay/index.js';
import type { DirInode } from '../src/vfs/inode.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

/** The upper layer as `find upper -printf` would show it, whiteouts and opaque marks included. */
function upperListing(m: Mount): string[] {
  const out: string[] = [];
  const walk = (dir: DirInode, rel: string): void => {
    for (const [name, i] of [...dir.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const p = rel ? `${rel}/${name}` : name;
      if (isWhiteout(i)) out.push(`  c--------- 0,0  ${p}   <- whiteout`);
      else if (i.kind === 'dir') {
        out.push(`  d${i.mode.toString(8).padStart(4, '0')}        ${p}/${isOpaque(i) ? '   <- trusted.overlay.opaque=y' : ''}`);
        walk(i, p);
      } else out.push(`  ${i.kind === 'file' ? '-' : 'l'}${i.mode.toString(8).padStart(4, '0')}  ino ${String(i.ino).padStart(5)}  ${p}${i.kind === 'file' ? `  (${i.size} B)` : ''}`);
    }
  };
  walk(m.upper.root, '');
  return out.length ? out : ['  (empty)'];
}

function where(m: Mount, p: string): string {
  const r = m.lookup(p);
  if (!r.found) return `${p}: not found`;
  return `${p}: ${r.layer === 'upper' ? 'upper layer' : `lower layer ${r.layer}`}, ino ${m.lstat(p).ino}`;
}

export async function run(out: LabOutput = stdout, given?: Engine): Promise<void> {
  const lab = given ? undefined : await labEngine();
  const engine = given ?? lab!.engine;
  try {
    await engine.images.load(path.join(IMAGES_DIR, 'webapp.oci.tar'));
    const layers = await engine.images.layerSources('boxlab/webapp:1.0');
    const m = mountOverlay(layers);
    heading(out, `Mount boxlab/webapp:1.0: ${layers.length} read-only lower layers + 1 empty upper layer`);
    line(out, where(m, 'etc/motd'));
    line(out, 'upper layer:');
    upperListing(m).forEach((l) => line(out, l));

    heading(out, 'Append to a lower file: copy-up first');
    const before = m.stats();
    line(out, `$ echo 'Alpine Linux 3.20 (boxlab)' >> /etc/issue`);
    m.appendFile('etc/issue', 'Alpine Linux 3.20 (boxlab)\n');
    const after = m.stats();
    line(out, where(m, 'etc/issue'));
    line(out, `copy-ups: ${after.copyUps - before.copyUps} (the parent /etc, then the file), bytes copied up: ${after.copyUpBytes - before.copyUpBytes}`);
    upperListing(m).forEach((l) => line(out, l));
    note(out, 'The whole file was copied from its lower layer into the upper layer before the append.\nThe lower layer is untouched: every other container of this image still sees the old /etc/issue.\nA write that truncates (echo x > file, O_TRUNC) copies up no bytes at all: the kernel skips the data.');

    heading(out, 'Copy-up breaks a hardlink');
    line(out, `before: ${where(m, 'app/bin/webapp')}`);
    line(out, `        ${where(m, 'app/bin/serve')}`);
    m.appendFile('app/bin/serve', '# patched in the container\n');
    line(out, `$ echo '# patched in the container' >> /app/bin/serve`);
    line(out, `after:  ${where(m, 'app/bin/webapp')}`);
    line(out, `        ${where(m, 'app/bin/serve')}`);
    line(out, `webapp ends with: ${JSON.stringify(m.readFile('app/bin/webapp').toString().split('\n').slice(-2)[0])}`);
    line(out, `serve ends with:  ${JSON.stringify(m.readFile('app/bin/serve').toString().split('\n').slice(-2)[0])}`);
    note(out, 'Two names, one inode in the lower layer. Copy-up made a new inode for `serve` only: the link is\nbroken and `webapp` keeps the old content (overlayfs.rst: with index=off "this will break the link").');

    heading(out, 'Delete a lower file: a whiteout appears');
    m.unlink('etc/hostname');
    line(out, '$ rm /etc/hostname');
    line(out, where(m, 'etc/hostname'));
    upperListing(m).filter((l) => l.includes('hostname')).forEach((l) => line(out, l));
    note(out, 'The lower file cannot be removed (it is read-only and shared): a 0/0 character device in the upper\nlayer hides it. In a committed layer it becomes an empty file named .wh.hostname.');

    heading(out, 'Remove a directory and create it again: it goes opaque');
    for (const f of m.readdir('app/public')) m.unlink(`app/public/${f}`);
    m.rmdir('app/public');
    m.mkdir('app/public');
    m.writeFile('app/public/index.html', '<h1>rebuilt</h1>\n');
    line(out, '$ rm -r /app/public && mkdir /app/public && echo ... > /app/public/index.html');
    line(out, `ls /app/public: ${m.readdir('app/public').join(' ')}`);
    upperListing(m).filter((l) => l.includes('app/public')).forEach((l) => line(out, l));
    note(out, 'mkdir over a whiteout makes the new directory opaque: nothing of the lower app/public can show\nthrough it again. A committed layer marks it with app/public/.wh..wh..opq.');

    heading(out, 'Rename a lower directory: EXDEV, and mv copies instead');
    try {
      m.rename('etc/apk', 'etc/apk.old');
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      line(out, `rename("/etc/apk", "/etc/apk.old") -> ${e.errno} (${e.message})`);
    }
    const r = mv(m, 'etc/apk', 'etc/apk.old');
    line(out, `$ mv /etc/apk /etc/apk.old   # rename(2) failed with EXDEV, so mv ${r.fallback === 'copy' ? 'copied the tree' : 'renamed entry by entry'}: ${r.copied} objects, ${r.copiedBytes} bytes written to the upper layer`);
    line(out, `  what is left of /etc/apk: ${upperListing(m).filter((l) => l.includes(' etc/apk ')).join('').trim() || '(nothing)'}`);
    m.mkdir('opt/boxlab');
    const into = mv(m, 'etc/apk.old', 'opt/boxlab');
    line(out, `$ mkdir /opt/boxlab && mv /etc/apk.old /opt/boxlab/   # an upper-only directory: ${into.renamed ? 'one rename(2), nothing copied' : 'fallback'}`);
    note(out, 'With redirect_dir off (Docker\'s default), overlayfs will not rename a directory that has lower parts:\nit would have to copy the whole tree up. coreutils mv sees EXDEV and copies the tree to the new name\n(into an existing directory it renames entry by entry instead), then removes the old tree: a whiteout.\nThe copy it made lives only in the upper layer, so the second mv is a plain rename.');

    heading(out, 'The container\'s diff, and the layer `docker commit` would store');
    m.diff().forEach((c) => line(out, `  ${c.kind} ${c.path}`));
    // the members packUpper() writes, in its order
    const members = upperTarMembers(m.upper.root).map(
      ({ header: h }) => `${h.type === 'link' ? 'hardlink' : h.type} ${h.name}${h.linkname ? ` -> ${h.linkname}` : ''}`,
    );
    line(out, `layer tar (${members.length} members):`);
    members.forEach((n) => line(out, `  ${n}`));
    const s = m.stats();
    note(out, `Totals for this container: ${s.copyUps} copy-ups, ${s.copyUpBytes} bytes copied up, ${s.whiteouts} whiteouts.\nLook for .wh.hostname (the delete), app/public/.wh..wh..opq (the opaque dir) and the hardlink-free serve.`);
  } finally {
    lab?.cleanup();
  }
}

export const tourStep = run;

if (isMain(import.meta.url)) await run();
