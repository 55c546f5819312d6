# The kernel side of the mount-namespace differential test. Run as root inside a private mount
# namespace (`unshare -m python3 kernel_side.py < case.json`): it lays out a host tree and an
# image tree on a private tmpfs, makes the case's mounts (tmpfs, binds of directories and single
# files, read-only ones) under the image, then a child process chroots into the image, takes the
# case's credentials (root, or uid/gid 1000 with no supplementary groups, as
# `setpriv --reuid=1000 --regid=1000 --clear-groups` does) and makes the calls. The parent prints
# each call's result, the image tree as the chroot sees it (mounts included), the host tree and
# the mount table as JSON. Python, because the calls must run chrooted (an absolute symlink must
# resolve against the image root) and os.chroot is there; everything dies with the namespace.
import ctypes, errno, json, os, sys, tempfile

# mount(2) itself (spawning mount(8) for each would cost more than the rest of a case).
libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096

def mount(source, target, fstype, flags, data):
    enc = lambda s: s.encode() if s is not None else None
    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, 'mount %s on %s: %s' % (source, target, os.strerror(e)))

case = json.load(sys.stdin)
os.umask(0)
base = tempfile.mkdtemp(prefix='boxlab-kns-')
mount('tmpfs', base, 'tmpfs', 0, None)

def remove_base():
    # the directory is on the host's filesystem: unmount it here (MNT_DETACH) and remove it, so the
    # run leaves nothing in TMPDIR
    libc.umount2(base.encode(), 2)
    try:
        os.rmdir(base)
    except OSError:
        pass

import atexit
atexit.register(remove_base)
host, root = os.path.join(base, 'host'), os.path.join(base, 'root')

def lay_out(top, entries):
    os.mkdir(top, 0o755)
    for e in entries:
        p = os.path.join(top, e['path'])
        t = e['type']
        if t == 'dir':
            os.mkdir(p)
        elif t == 'file':
            with open(p, 'wb') as f:
                f.write(e.get('content', '').encode())
        elif t == 'symlink':
            os.symlink(e['target'], p)
        # Owner first: chown clears setuid, even root's.
        os.lchown(p, e.get('uid', 0), e.get('gid', 0))
        if t != 'symlink':
            os.chmod(p, e.get('mode', 0o755 if t == 'dir' else 0o644))

lay_out(host, case['host'])
if case.get('root') == 'overlay':
    # The image as the lower layer of a real overlay, its upper and work dirs beside it.
    lay_out(os.path.join(base, 'lower'), case['image'])
    for d in ('upper', 'work', 'root'):
        os.mkdir(os.path.join(base, d), 0o755)
    mount('overlay', root, 'overlay', 0, 'lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work' % (base, base, base))
else:
    lay_out(root, case['image'])

for m in case['mounts']:
    target = os.path.join(root, m['target'].lstrip('/'))
    if m['type'] == 'tmpfs':
        opts = []
        if 'size' in m: opts.append('size=%d' % m['size'])
        if 'mode' in m: opts.append('mode=%o' % m['mode'])
        mount('tmpfs', target, 'tmpfs', MS_RDONLY if m.get('readOnly') else 0, ','.join(opts) or None)
    else:
        src = os.path.join(host if m['from'] == 'host' else root, m['source'].lstrip('/'))
        mount(src, target, None, MS_BIND, None)
        if m.get('readOnly'):  # what `mount -o remount,bind,ro` does
            mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)

def call(op):
    o = op['op']
    if o == 'write' or o == 'append':
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if o == 'append' else os.O_TRUNC)
        fd = os.open(op['path'], flags, op.get('mode', 0o644))
        try:
            data = op['data'].encode()
            while data:  # a short write is retried, as a shell's printf does; the next one fails
                n = os.write(fd, data)
                data = data[n:]
        finally:
            os.close(fd)
    elif o == 'read':
        with open(op['path'], 'rb') as f:
            return 'ok:' + f.read().decode()
    elif o == 'readdir':
        return 'ok:' + ','.join(sorted(os.listdir(op['path'])))
    elif o == 'stat':
        st = os.stat(op['path'])
        return 'ok:%o:%d:%d' % (st.st_mode, st.st_uid, st.st_gid)
    elif o == 'chdir': os.chdir(op['path'])
    elif o == 'mkdir': os.mkdir(op['path'], op.get('mode', 0o755))
    elif o == 'rmdir': os.rmdir(op['path'])
    elif o == 'unlink': os.unlink(op['path'])
    elif o == 'rename': os.rename(op['from'], op['to'])
    elif o == 'link': os.link(op['from'], op['to'], follow_symlinks=False)
    elif o == 'symlink': os.symlink(op['target'], op['path'])
    elif o == 'chmod': os.chmod(op['path'], op['mode'])
    elif o == 'chown': os.chown(op['path'], op['uid'], op['gid'])
    elif o == 'truncate': os.truncate(op['path'], op['len'])
    elif o == 'setxattr': os.setxattr(op['path'], op['name'], op['value'].encode())
    elif o == 'getxattr': return 'ok:' + os.getxattr(op['path'], op['name']).decode()
    else: raise ValueError(o)
    return 'ok'

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    results = []
    try:
        os.chroot(root)
        os.chdir('/')
        if case['user'] == 'user':
            os.setgroups([])
            os.setgid(1000)
            os.setuid(1000)
        for op in case['ops']:
            try:
                results.append(call(op))
            except OSError as e:
                results.append(errno.errorcode[e.errno])
    finally:
        os.write(w, json.dumps(results).encode())
        os._exit(0)
os.close(w)
chunks = []
while True:
    b = os.read(r, 65536)
    if not b: break
    chunks.append(b)
os.waitpid(pid, 0)
results = json.loads(b''.join(chunks))

def snapshot(top):
    out = []
    def walk(rel):
        p = os.path.join(top, rel) if rel else top
        st = os.lstat(p)
        e = {'path': rel, 'mode': st.st_mode & 0o7777, 'uid': st.st_uid, 'gid': st.st_gid, 'dev': str(st.st_dev)}
        import stat as S
        if S.S_ISDIR(st.st_mode):
            e['type'] = 'dir'
            out.append(e)
            for n in sorted(os.listdir(p)):
                walk(os.path.join(rel, n) if rel else n)
            return
        if S.S_ISREG(st.st_mode):
            with open(p, 'rb') as f:
                e.update(type='file', size=st.st_size, content=f.read().decode())
        elif S.S_ISLNK(st.st_mode):
            e.update(type='symlink', target=os.readlink(p))
        else:
            e['type'] = 'other'
        e['ino'] = '%d:%d' % (st.st_dev, st.st_ino)
        out.append(e)
    walk('')
    return out

mounts = []
with open('/proc/self/mounts') as f:
    for line in f:
        fields = line.split(' ')
        if fields[1].startswith(root + '/'):
            fields[1] = fields[1][len(root):]
            # The overlay's layer paths as the model names them; uuid=on is what this kernel adds
            # for an upper dir on a tmpfs (Docker's upper on ext4 shows none).
            fields[3] = fields[3].replace(base, '/BASE').replace(',uuid=on', '')
            mounts.append(' '.join(fields))
print(json.dumps({'results': results, 'image': snapshot(root), 'host': snapshot(host), 'mounts': mounts}))
