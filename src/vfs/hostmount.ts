/**
 * Which host mount a host path is on (its device, type, per-mount flags and filesystem options), read
 * from /proc/self/mountinfo (proc(5)): what a bind mount or a volume shows in the container's
 * /proc/mounts, as runc's bind keeps the source mount's filesystem (measured: `/dev/vda /data ext4
 * rw,relatime,discard,...` for a volume under /var/lib/docker on this machine).
 */
import * as fs from 'node:fs';

/** The host mount a path is on, as /proc/self/mountinfo describes it. */
export interface HostMountInfo {
  source: string;
  fsType: string;
  /** Per-mount flags (relatime, nosuid, ...). */
  flags: string[];
  /** The filesystem's own options, after the flags in /proc/mounts. */
  options: string[];
}

/** The mount holding `realPath`: the longest mount point that is a prefix of it (later mounts win ties). */
export function hostMountOf(realPath: string): HostMountInfo {
  let best: HostMountInfo = { source: 'none', fsType: 'unknown', flags: ['relatime'], options: [] };
  let bestLen = -1;
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return best;
  }
  const unmangle = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const point = unmangle(f[4] ?? '');
    const inside = point === '/' || realPath === point || realPath.startsWith(`${point}/`);
    if (!inside || point.length < bestLen) continue;
    const [fsType = '', source = '', sup = ''] = post.split(' ');
    const notRw = (o: string) => o !== 'rw' && o !== 'ro';
    best = { source: unmangle(source), fsType, flags: (f[5] ?? '').split(',').filter(notRw), options: sup.split(',').filter(notRw) };
    bestLen = point.length;
  }
  return best;
}
