// The kernel side of the differential test. Run as root inside a private mount namespace
// (`unshare -m node kernel-side.mjs < case.json`): it lays the lower layers out on disk as Docker's
// overlay2 driver does (whiteouts as 0/0 character devices, opaque directories with
// trusted.overlay.opaque=y), mounts a real overlay, applies the operations, and prints the merged
// tree and the upper directory as JSON. The mount dies with the namespace when this process exits.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.umask(0);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-kovl-'));
// Everything lives on a private tmpfs: unmounting an overlay syncs its upper filesystem, which on
// the machine's disk costs a third of a second per case; tmpfs keeps trusted.* xattrs and whiteouts.
execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', tmp]);
const sh = (script) => execFileSync('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;

function layOut(dir, entries) {
  fs.mkdirSync(dir, { mode: 0o755 });
  const special = [];
  for (const e of entries) {
    const p = path.join(dir, e.path);
    switch (e.type) {
      case 'dir':
        if (!fs.existsSync(p)) fs.mkdirSync(p);
        fs.chownSync(p, e.uid ?? 0, e.gid ?? 0);
        fs.chmodSync(p, e.mode ?? 0o755);
        break;
      case 'opaque':
        special.push(`setfattr -n trusted.overlay.opaque -v y ${q(p)}`);
        break;
      case 'file':
        fs.writeFileSync(p, Buffer.from(e.content ?? '', 'utf8'));
        fs.chownSync(p, e.uid ?? 0, e.gid ?? 0);
        fs.chmodSync(p, e.mode ?? 0o644);
        for (const [k, v] of Object.entries(e.xattrs ?? {})) special.push(`setfattr -n ${q(k)} -v ${q(v)} ${q(p)}`);
        break;
      case 'symlink':
        fs.symlinkSync(e.target, p);
        fs.lchownSync(p, e.uid ?? 0, e.gid ?? 0);
        break;
      case 'hardlink':
        fs.linkSync(path.join(dir, e.target), p);
        break;
      case 'whiteout':
        special.push(`mknod ${q(p)} c 0 0`);
        break;
      default:
        throw new Error(`kernel-side: unsupported entry ${e.type}`);
    }
  }
  if (special.length) sh(special.join(' && '));
}

function snapshot(root, { upper }) {
  const out = [];
  const opaque = new Set();
  // user.* attributes, read once for the whole tree (without following symlinks).
  const userX = new Map();
  {
    const dump = sh(`getfattr -R -h --absolute-names -m '^user\\.' -d ${q(root)} 2>/dev/null || true`);
    let file = null;
    for (const line of dump.split('\n')) {
      if (line.startsWith('# file: ')) file = path.relative(root, line.slice(8));
      else if (file !== null && line.startsWith('user.')) {
        const eq = line.indexOf('=');
        const x = userX.get(file) ?? {};
        x[line.slice(0, eq)] = JSON.parse(line.slice(eq + 1));
        userX.set(file, x);
      }
    }
  }
  if (upper) {
    const dump = sh(`getfattr -R --absolute-names -m '^trusted\\.overlay\\.opaque$' -d ${q(root)} 2>/dev/null || true`);
    let file = null;
    for (const line of dump.split('\n')) {
      if (line.startsWith('# file: ')) file = line.slice(8);
      else if (file && line.startsWith('trusted.overlay.opaque="y"')) opaque.add(path.relative(root, file));
    }
  }
  const walk = (rel) => {
    const abs = rel === '' ? root : path.join(root, rel);
    let st;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      // readdir listed a name that lookup cannot find: record it so the test shows the case.
      if (e.code !== 'ENOENT') throw e;
      out.push({ path: rel, type: 'listed-but-missing', mode: 0, uid: 0, gid: 0 });
      return;
    }
    const r = { path: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (userX.has(rel)) r.xattrs = userX.get(rel);
    if (st.isDirectory()) {
      r.type = 'dir';
      if (upper && opaque.has(rel)) r.opaque = true;
      out.push(r);
      for (const name of fs.readdirSync(abs).sort()) walk(rel === '' ? name : `${rel}/${name}`);
      return;
    }
    if (st.isFile()) {
      r.type = 'file';
      r.size = st.size;
      r.sha = createHash('sha256').update(fs.readFileSync(abs)).digest('hex');
    } else if (st.isSymbolicLink()) {
      r.type = 'symlink';
      r.target = fs.readlinkSync(abs);
    } else if (st.isCharacterDevice() && st.rdev === 0) {
      r.type = 'whiteout';
    } else r.type = 'other';
    if (r.type !== 'whiteout') r.ino = `${st.dev}:${st.ino}`;
    out.push(r);
  };
  walk('');
  return out;
}

function apply(op) {
  switch (op.op) {
    case 'write':
      return fs.writeFileSync(op.path, op.data, { mode: op.mode ?? 0o644 });
    case 'append':
      return fs.appendFileSync(op.path, op.data, { mode: 0o644 }); // the model's default create mode
    case 'truncate':
      return fs.truncateSync(op.path, op.len);
    case 'chmod':
      return fs.chmodSync(op.path, op.mode);
    case 'chown':
      return fs.chownSync(op.path, op.uid, op.gid);
    case 'symlink':
      return fs.symlinkSync(op.target, op.path);
    case 'link':
      return fs.linkSync(op.from, op.to);
    case 'rename':
      return fs.renameSync(op.from, op.to);
    case 'unlink':
      return fs.unlinkSync(op.path);
    case 'rmdir':
      return fs.rmdirSync(op.path);
    case 'mkdir':
      return fs.mkdirSync(op.path, { mode: op.mode ?? 0o755 });
    case 'setxattr':
      try {
        execFileSync('setfattr', ['-n', op.name, '-v', op.value, op.path], { stdio: 'ignore' });
      } catch {
        throw Object.assign(new Error('setfattr failed'), { code: 'ERR' });
      }
      return;
    case 'mv':
      try {
        execFileSync('mv', [op.from, op.to], { stdio: 'ignore' });
      } catch {
        throw Object.assign(new Error('mv failed'), { code: 'ERR' });
      }
      return;
    default:
      throw new Error(`kernel-side: unknown op ${op.op}`);
  }
}

try {
  const lowers = input.layers.map((entries, i) => {
    const dir = path.join(tmp, `l${i}`);
    layOut(dir, entries);
    return dir;
  });
  for (const d of ['u', 'w', 'm']) fs.mkdirSync(path.join(tmp, d), { mode: 0o755 });
  const lowerdir = lowers.length ? [...lowers].reverse().join(':') : path.join(tmp, 'empty');
  if (!lowers.length) fs.mkdirSync(lowerdir);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerdir},upperdir=${tmp}/u,workdir=${tmp}/w`, `${tmp}/m`]);
  process.chdir(`${tmp}/m`);
  const results = input.ops.map((op) => {
    try {
      apply(op);
      return 'ok';
    } catch (e) {
      if (e && typeof e.code === 'string') return e.code;
      throw e;
    }
  });
  const merged = snapshot(`${tmp}/m`, { upper: false });
  process.chdir('/');
  execFileSync('umount', [`${tmp}/m`]);
  const upper = snapshot(`${tmp}/u`, { upper: true });
  process.stdout.write(JSON.stringify({ results, merged, upper }));
} finally {
  process.chdir('/');
  try {
    execFileSync('umount', ['-l', `${tmp}/m`], { stdio: 'ignore' });
  } catch {
    // not mounted (the normal path unmounted it already)
  }
  execFileSync('umount', ['-l', tmp], { stdio: 'ignore' });
  fs.rmdirSync(tmp);
}
