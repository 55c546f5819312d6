/**
 * `boxlab/alpine:3.20`: an Alpine-like base in one layer, as Alpine's own image is. The files are
 * boxlab's stand-ins, not Alpine's: `/bin/busybox` is a short text file, not BusyBox, and every applet
 * in /bin, /sbin, /usr/bin and /usr/sbin is a symlink to it, as on Alpine. Commands run inside a boxlab
 * container are interpreted by boxlab's own shell, never by this file.
 */
import type { ImageSpec, Op } from '../src/oci/build.js';

export const ALPINE_CREATED = '2024-09-06T22:20:07Z';

const BUSYBOX = `#!/bin/busybox sh
# boxlab stand-in for BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.
# Not a real program: boxlab's shell implements the applets that link here.
echo "BusyBox v1.36.1 (boxlab stand-in) multi-call binary."
`;

const BIN_APPLETS = [
  'ash', 'base64', 'cat', 'chgrp', 'chmod', 'chown', 'cp', 'date', 'dd', 'df', 'dmesg', 'echo', 'egrep',
  'false', 'fgrep', 'grep', 'gunzip', 'gzip', 'hostname', 'kill', 'ln', 'ls', 'mkdir', 'mknod', 'mktemp',
  'more', 'mount', 'mv', 'netstat', 'pidof', 'ping', 'ps', 'pwd', 'rm', 'rmdir', 'sed', 'sh', 'sleep',
  'stat', 'stty', 'su', 'sync', 'tar', 'touch', 'true', 'umount', 'uname', 'vi', 'watch', 'zcat',
];
const SBIN_APPLETS = ['halt', 'ifconfig', 'init', 'ip', 'mdev', 'poweroff', 'reboot', 'route', 'sysctl'];
const USR_BIN_APPLETS = [
  'awk', 'basename', 'cut', 'diff', 'dirname', 'du', 'env', 'expr', 'find', 'free', 'head', 'id', 'less',
  'nc', 'nslookup', 'printf', 'realpath', 'sort', 'tail', 'tee', 'test', 'top', 'tr', 'uniq', 'uptime',
  'wc', 'wget', 'which', 'whoami', 'xargs', 'yes',
];
const USR_SBIN_APPLETS = ['addgroup', 'adduser', 'chroot', 'crond', 'delgroup', 'deluser'];

const OS_RELEASE = `# boxlab stand-in: an Alpine-like root filesystem, not Alpine's files
NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

export const PASSWD = `root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
`;

export const GROUP = `root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
cron:x:16:cron
audio:x:18:
ftp:x:21:
sshd:x:22:
shadow:x:42:
games:x:50:
ntp:x:123:
users:x:100:games
nogroup:x:65533:
nobody:x:65534:
`;

export const SHADOW = `${PASSWD.split('\n')
  .filter(Boolean)
  .map((l) => `${l.split(':')[0]}:${l.startsWith('root:') ? '*' : '!'}::0:::::`)
  .join('\n')}\n`;

/** The package database apk keeps, trimmed to the fields that say what owns which file. */
export function apkInstalled(pkgs: Array<{ name: string; version: string; desc: string; files: string[] }>): string {
  return pkgs
    .map((p) => {
      const dirs = new Map<string, string[]>();
      for (const f of p.files) {
        const i = f.lastIndexOf('/');
        const d = f.slice(0, i);
        dirs.set(d, [...(dirs.get(d) ?? []), f.slice(i + 1)]);
      }
      const owned = [...dirs].map(([d, fs]) => [`F:${d}`, ...fs.map((f) => `R:${f}`)].join('\n')).join('\n');
      return `P:${p.name}\nV:${p.version}\nA:x86_64\nT:${p.desc}\nU:https://boxlab.invalid/${p.name}\nL:MIT\n${owned}\n`;
    })
    .join('\n');
}

export const ALPINE_PACKAGES = [
  { name: 'alpine-baselayout', version: '3.6.5-r0', desc: 'Alpine base dir structure and init scripts', files: ['etc/os-release', 'etc/passwd', 'etc/group', 'etc/shadow', 'etc/profile', 'etc/motd', 'etc/shells'] },
  { name: 'busybox', version: '1.36.1-r29', desc: 'Size optimized toolbox of many common UNIX utilities', files: ['bin/busybox'] },
  { name: 'musl', version: '1.2.5-r0', desc: 'the musl c library (libc) implementation', files: ['lib/ld-musl-x86_64.so.1', 'lib/libc.musl-x86_64.so.1'] },
  { name: 'apk-tools', version: '2.14.4-r1', desc: 'Alpine Package Keeper - package manager for alpine', files: ['sbin/apk'] },
];

const dirs = (paths: string[], mode = 0o755): Op[] => paths.map((path) => ({ op: 'dir', path, mode }));
const applets = (dir: string, names: string[]): Op[] =>
  names.map((n) => ({ op: 'symlink', path: `${dir}/${n}`, target: '/bin/busybox' }));

export const alpine: ImageSpec = {
  name: 'boxlab/alpine:3.20',
  created: ALPINE_CREATED,
  steps: [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:5758b97d8301c84a204a6e516241275d785a7cb2f0aa0ed0ab2d7dcf0e0e2e67 in / ',
      ops: [
        ...dirs(['bin', 'dev', 'etc', 'etc/apk', 'etc/apk/keys', 'etc/apk/protected_paths.d', 'home', 'lib', 'lib/apk', 'lib/apk/db', 'media', 'mnt', 'opt']),
        { op: 'dir', path: 'proc', mode: 0o555 },
        { op: 'dir', path: 'root', mode: 0o700 },
        ...dirs(['run', 'sbin', 'srv']),
        { op: 'dir', path: 'sys', mode: 0o555 },
        { op: 'dir', path: 'tmp', mode: 0o1777 },
        ...dirs(['usr', 'usr/bin', 'usr/lib', 'usr/local', 'usr/local/bin', 'usr/sbin', 'usr/share', 'var', 'var/cache', 'var/empty', 'var/lib', 'var/lib/misc', 'var/local', 'var/log', 'var/mail', 'var/opt', 'var/spool']),
        { op: 'dir', path: 'var/tmp', mode: 0o1777 },
        { op: 'symlink', path: 'var/run', target: '../run' },
        { op: 'file', path: 'bin/busybox', content: BUSYBOX, mode: 0o755 },
        ...applets('bin', BIN_APPLETS),
        { op: 'file', path: 'etc/alpine-release', content: '3.20.3\n' },
        { op: 'file', path: 'etc/apk/arch', content: 'x86_64\n' },
        { op: 'file', path: 'etc/apk/repositories', content: 'https://dl-cdn.alpinelinux.org/alpine/v3.20/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.20/community\n' },
        { op: 'file', path: 'etc/apk/world', content: 'alpine-baselayout\napk-tools\nbusybox\nmusl\n' },
        { op: 'file', path: 'etc/group', content: GROUP },
        { op: 'file', path: 'etc/hostname', content: 'localhost\n' },
        { op: 'file', path: 'etc/hosts', content: '127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n' },
        { op: 'file', path: 'etc/issue', content: 'Welcome to Alpine Linux 3.20\nKernel \\r on an \\m (\\l)\n\n' },
        { op: 'file', path: 'etc/motd', content: 'Welcome to Alpine!\n\nThe Alpine Wiki contains a large amount of how-to guides and general\ninformation about administrating Alpine systems.\nSee <https://wiki.alpinelinux.org/>.\n' },
        { op: 'file', path: 'etc/os-release', content: OS_RELEASE },
        { op: 'file', path: 'etc/passwd', content: PASSWD },
        { op: 'file', path: 'etc/profile', content: 'export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\nexport PAGER=less\numask 022\n' },
        { op: 'file', path: 'etc/shadow', content: SHADOW, mode: 0o640, gid: 42 },
        { op: 'file', path: 'etc/shells', content: '# valid login shells\n/bin/sh\n/bin/ash\n' },
        { op: 'file', path: 'lib/apk/db/installed', content: apkInstalled(ALPINE_PACKAGES) },
        { op: 'file', path: 'lib/ld-musl-x86_64.so.1', content: 'boxlab stand-in for the musl dynamic linker\n', mode: 0o755 },
        { op: 'symlink', path: 'lib/libc.musl-x86_64.so.1', target: 'ld-musl-x86_64.so.1' },
        { op: 'file', path: 'sbin/apk', content: '#!/bin/sh\necho "apk-tools 2.14.4 (boxlab stand-in)"\n', mode: 0o755 },
        ...applets('sbin', SBIN_APPLETS),
        ...applets('usr/bin', USR_BIN_APPLETS),
        ...applets('usr/sbin', USR_SBIN_APPLETS),
      ],
    },
    { emptyLayer: true, createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]' },
  ],
  config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['/bin/sh'],
  },
};
