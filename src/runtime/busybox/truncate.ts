/**
 * truncate (busybox coreutils/truncate.c): `truncate [-c] -s SIZE FILE...` opens each FILE for
 * writing (creating it unless -c, mode 0666 before the umask) and sets its length; SIZE takes
 * busybox's kmg_i_suffixes (k 1024, m 1024², g 1024³) and no sign.
 */
import { errnoOf } from '../errno.js';
import { applet, getopt, rethrowKilled } from './common.js';

const SUFFIX: Record<string, number> = { '': 1, k: 1024, K: 1024, m: 1 << 20, M: 1 << 20, g: 1 << 30, G: 1 << 30 };

/** XATOOFF_SFX: digits and one suffix, else busybox's `invalid number`. */
function parseSize(s: string): number | null {
  const m = /^(\d+)([kKmMgG]?)$/.exec(s);
  return m ? Number(m[1]) * SUFFIX[m[2]!]! : null;
}

export const truncate = applet('truncate', async (c) => {
  const a = await getopt(c, 'cs:');
  if (!a) return 1;
  const spec = a.opts.get('s');
  // getopt32's "s:-1": -s is required, and at least one operand
  if (typeof spec !== 'string' || a.args.length === 0) return c.usage();
  const size = parseSize(spec);
  if (size === null) {
    await c.error(`invalid number '${spec}'`);
    return 1;
  }
  const noCreate = a.opts.has('c');
  let status = 0;
  for (const p of a.args) {
    try {
      const w = await c.fs.openWrite(p, { create: !noCreate, mode: 0o666 });
      w.close();
    } catch (e) {
      rethrowKilled(e);
      // -c: a missing file is no error and changes nothing
      if (!(noCreate && errnoOf(e) === 'ENOENT')) {
        await c.perror(`${p}: open`, e);
        status = 1;
      }
      continue;
    }
    try {
      await c.fs.truncate(p, size);
    } catch (e) {
      rethrowKilled(e);
      await c.perror(`${p}: truncate`, e);
      status = 1;
    }
  }
  return status;
});
