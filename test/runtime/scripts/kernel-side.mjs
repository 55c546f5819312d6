// The kernel side of the whole-script differential. Run as root in a private mount namespace
// (`unshare -m node kernel-side.mjs < input.json`), input { archive, scripts: string[], env }:
// it lays out the image's layers as Docker's overlay2 diff directories (whiteouts as 0/0 character
// devices, opaque directories with trusted.overlay.opaque=y), adds the init layer Docker adds, and
// for each script mounts a fresh overlay with the options Docker 20.10 uses here (lowerdir=init:top:
// ...:bottom, upperdir, workdir, nothing else: `/proc/mounts` of a real container shows only those),
// runs the image's own busybox `sh -c SCRIPT` chrooted in it, and prints stdout, stderr, the exit
// status, the merged tree, and the changes as `docker diff` computes them.
//
// Everything lives on ext4, as /var/lib/docker does here, so directory sizes and `ls -l` columns are
// the ones a real container shows. The mounts die with the namespace.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.umask(0o022);
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-kscript-'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
// Several commands in one child: a spawn costs 50-100 ms on this machine.
const sh = (script) => run('sh', ['-ec', script]);
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
// An ext4 filesystem (what /var/lib/docker is here) in a file on a private tmpfs: unmounting an
// overlay syncs its upper filesystem, which on the machine's disk costs about a second per script.
// 4 KiB blocks and 256-byte inodes as on the disk (mke2fs gives a file this small 1 KiB blocks and
// 128-byte inodes, whose overlay xattrs then take a block of their own and show in `ls -l`'s total).
const tmp = path.join(base, 'fs');
const img = path.join(base, 'fs.img');
sh(`mount -t tmpfs tmpfs ${q(base)}\ntruncate -s 256M ${q(img)}\nmkfs.ext4 -q -F -b 4096 -I 256 ${q(img)}\nmkdir ${q(tmp)}\nmount -o loop ${q(img)} ${q(tmp)}`);

/** Docker's applyTar into a diff dir, then its whiteout conversion (daemon/graphdriver/overlay2). */
function layOutLayer(tarFile, dir) {
  fs.mkdirSync(dir, { mode: 0o755 });
  run('tar', ['-xpf', tarFile, '-C', dir, '--numeric-owner']);
  const wh = run('find', [dir, '-name', '.wh.*']).split('\n').filter(Boolean);
  const cmds = [];
  for (const p of wh) {
    const name = path.basename(p);
    fs.rmSync(p);
    if (name === '.wh..wh..opq') cmds.push(`setfattr -n trusted.overlay.opaque -v y ${q(path.dirname(p))}`);
    else cmds.push(`mknod ${q(path.join(path.dirname(p), name.slice(4)))} c 0 0`);
  }
  if (cmds.length) sh(cmds.join('\n'));
}

/** The `-init` layer (daemon/initlayer): what a container's rootfs has that its image has not. */
function layOutInit(dir) {
  for (const d of ['', 'dev', 'dev/pts', 'dev/shm', 'proc', 'sys', 'etc']) fs.mkdirSync(path.join(dir, d), { mode: 0o755, recursive: true });
  for (const f of ['.dockerenv', 'dev/console', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf']) fs.writeFileSync(path.join(dir, f), '', { mode: 0o755 });
  fs.symlinkSync('/proc/mounts', path.join(dir, 'etc/mtab'));
}

/** Paths a container's mounts or init layer own, left out of every comparison. */
const SKIP = new Set(['/dev', '/proc', '/sys', '/.dockerenv', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab']);

/** The tree under root: a listing entry and the stat fields Docker's change walk compares, per path. */
function walk(root) {
  const entries = [];
  const stats = new Map();
  const inodes = new Map();
  const visit = (rel) => {
    const abs = rel === '/' ? root : path.join(root, rel);
    const st = fs.lstatSync(abs, { bigint: true });
    const e = { path: rel, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
    stats.set(rel, { type: Number(st.mode & 0o170000n), mode: Number(st.mode), uid: e.uid, gid: e.gid, rdev: Number(st.rdev), size: Number(st.size), mtimeNs: st.mtimeNs.toString() });
    if (st.isDirectory()) {
      e.type = 'dir';
      if (rel !== '/') entries.push(e);
      for (const name of fs.readdirSync(abs).sort()) {
        const child = rel === '/' ? `/${name}` : `${rel}/${name}`;
        if (!SKIP.has(child)) visit(child);
      }
      return;
    }
    if (st.isFile()) {
      e.type = 'file';
      e.size = Number(st.size);
      e.sha = createHash('sha256').update(fs.readFileSync(abs)).digest('hex').slice(0, 16);
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1n) {
        if (!inodes.has(key)) inodes.set(key, rel);
        e.link = inodes.get(key);
      }
    } else if (st.isSymbolicLink()) {
      e.type = 'symlink';
      e.target = fs.readlinkSync(abs);
    } else e.type = 'other';
    entries.push(e);
  };
  visit('/');
  return { entries, stats };
}

/**
 * `docker diff` of a container on the engine here: the daemon's naive diff (archive.ChangesDirs of the
 * container's mount against its parent's), since overlay2's isParent() compares the parent's directory
 * with the `l/` short link in the lower file and never matches. Measured against Docker 20.10: a
 * directory's mtime and size are not compared, a directory with a change inside is C, a path only the
 * new tree has is A (with everything below it), one only the old has is D (nothing below it).
 */
function changes(before, after) {
  const out = [];
  const kids = (stats, dir) => {
    const pre = dir === '/' ? '/' : `${dir}/`;
    const names = new Set();
    for (const p of stats.keys()) if (p !== dir && p.startsWith(pre) && !p.slice(pre.length).includes('/')) names.add(p.slice(pre.length));
    return names;
  };
  const differs = (o, n) =>
    o.mode !== n.mode || o.uid !== n.uid || o.gid !== n.gid || o.rdev !== n.rdev || (o.type !== 0o040000 && (o.mtimeNs !== n.mtimeNs || o.size !== n.size));
  const addAll = (p) => {
    out.push(`A ${p}`);
    for (const k of kids(after, p)) addAll(p === '/' ? `/${k}` : `${p}/${k}`);
  };
  // returns whether anything below dir (or dir itself) changed
  const visit = (p, oldExists) => {
    const n = after.get(p);
    const o = oldExists ? before.get(p) : undefined;
    const mark = out.length;
    let added = false;
    if (p !== '/' && o && differs(o, n)) {
      out.push(`C ${p}`);
      added = true;
    }
    if (n.type !== 0o040000) return;
    const oldKids = o && o.type === 0o040000 ? kids(before, p) : new Set();
    for (const k of [...kids(after, p)].sort()) {
      const c = p === '/' ? `/${k}` : `${p}/${k}`;
      if (oldKids.has(k)) {
        oldKids.delete(k);
        visit(c, true);
      } else addAll(c);
    }
    for (const k of oldKids) out.push(`D ${p === '/' ? '' : p}/${k}`);
    if (out.length > mark && !added && p !== '/') out.splice(mark, 0, `C ${p}`);
  };
  visit('/', true);
  return out.sort();
}

/** The container's /dev: a tmpfs with the character devices runc makes (libcontainer's default devices). */
function mountDev(dev) {
  const nodes = [['null', 3], ['zero', 5], ['full', 7], ['random', 8], ['urandom', 9]];
  return [`mount -t tmpfs -o mode=755 tmpfs ${q(dev)}`, ...nodes.map(([n, minor]) => `mknod -m 666 ${q(path.join(dev, n))} c 1 ${minor}`)].join('\n');
}

/**
 * The container's /proc. busybox sh runs an applet that has no link (and is not NOFORK) by exec of
 * /proc/self/exe: without /proc, `cat` or `sed` would be "not found" where a container runs them.
 */
function mountProc(proc) {
  return `mount -t proc proc ${q(proc)}`;
}

function runScript(lowerdir, i, script) {
  const [u, w, m] = ['u', 'w', 'm'].map((d) => path.join(tmp, `${d}${i}`));
  for (const d of [u, w, m]) fs.mkdirSync(d, { mode: 0o755 });
  run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerdir},upperdir=${u},workdir=${w}`, m]);
  try {
    const before = walk(m).stats;
    // the image's own busybox, as the container's `sh` would be; argv[0] of sh is then "sh"
    const r = spawnSync('sh', ['-ec', `${mountDev(path.join(m, 'dev'))}\n${mountProc(path.join(m, 'proc'))}\nexec chroot ${q(m)} /bin/busybox sh -c "$1"`, 'sh', script], {
      env: input.env,
      cwd: '/',
      encoding: 'utf8',
      timeout: 30_000,
    });
    sh(`umount ${q(path.join(m, 'dev'))}\numount ${q(path.join(m, 'proc'))}`);
    const { entries, stats } = walk(m);
    return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? 128 + (os.constants.signals[r.signal] ?? 0), merged: entries, diff: changes(before, stats) };
  } finally {
    run('umount', [m]);
  }
}

try {
  const archive = path.join(tmp, 'img');
  fs.mkdirSync(archive);
  run('tar', ['-xf', input.archive, '-C', archive]);
  const manifest = JSON.parse(fs.readFileSync(path.join(archive, 'manifest.json'), 'utf8'));
  const layers = manifest[0].Layers.map((l, i) => {
    const dir = path.join(tmp, `l${i}`);
    layOutLayer(path.join(archive, l), dir);
    return dir;
  });
  layOutInit(path.join(tmp, 'init'));
  const lowerdir = [path.join(tmp, 'init'), ...layers.reverse()].join(':');
  const results = input.scripts.map((s, i) => runScript(lowerdir, i, s));
  process.stdout.write(JSON.stringify(results));
} finally {
  spawnSync('umount', ['-l', tmp]);
  spawnSync('umount', ['-l', base]);
  fs.rmdirSync(base);
}
