import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox } from './harness.js';

/** The model keeps no device number, no atime/ctime and its own inode numbers: those fields are masked. */
function maskStat(s: string): string {
  return s
    .replace(/Device: \w+h\/\d+d\tInode: \d+ +/g, 'Device: DEV\tInode: INO ')
    .replace(/^(Access|Modify|Change): \d{4}-.*$/gm, '$1: TIME');
}

const cases: string[][] = [
  ['stat', 'a.txt'],
  ['stat', 'sub', 'link', 'setuid', 'sticky', 'other', 'b.txt'],
  ['stat', '-L', 'link'],
  ['stat', 'sub/deep/leaf', 'nope'],
  ['stat', '-c', '%a %A %b %B %f %F %g %G %h %n %N %o %s %t %T %u %U %%', 'a.txt', 'link', 'sub', 'b.txt', 'sub/deep/leaf'],
  ['stat', '-c', '%5s|%-5s|%05a|%Q', 'a.txt'],
  ['stat', '-c', 'x\\ty', 'a.txt'],
  ['readlink', 'link'],
  ['readlink', 'a.txt'],
  ['readlink', '-f', 'link'],
  ['readlink', '-f', 'dirlink/deep/../inner.txt'],
  ['readlink', '-f', 'nope'],
  ['readlink', '-fn', 'dirlink'],
  ['readlink', '-v', 'a.txt'],
  ['realpath', 'link', 'nope', 'sub/..', 'dangling', 'dirlink/deep'],
  ['id'],
  ['id', '-u'],
  ['id', '-g'],
  ['id', '-un'],
  ['id', '-gn'],
  ['id', '-G'],
  ['id', 'daemon'],
  ['id', '-Gn', 'daemon'],
  ['id', 'nobodyx'],
  ['id', '-x'],
  ['whoami'],
  ['whoami', 'x'],
  ['hostname'],
  ['hostname', '-s'],
  ['uname'],
  ['uname', '-a'],
  ['uname', '-s', '-n', '-r', '-m'],
  ['uname', '-m', '-s'],
  ['uname', '-p', '-i', '-o'],
  ['date', '-d', '@0'],
  ['date', '-u', '-d', '2024-01-02 03:04:05'],
  ['date', '-R', '-d', '@86399'],
  ['date', '-I', '-d', '@1700000000'],
  ['date', '-d', '@1700000000', '+%Y-%m-%d %H:%M:%S %s %j %a %A %b %B %e %p %N %%'],
  ['date', '-d', 'bogus'],
  ['pwd'],
  ['basename', '/a/b.txt', '.txt'],
  ['basename', '/'],
  ['basename', 'a/b/'],
  ['basename', '-a', '/x/y', '/z'],
  ['basename', '-s', '.c', 'a.c', 'b.c'],
  ['basename'],
  ['dirname', '/a/b/'],
  ['dirname', 'a'],
  ['dirname', '/'],
  ['dirname', '//a//b//'],
  ['dirname', 'a', 'b'],
  ['nproc'],
  ['sync'],
  ['usleep', '10'],
  ['usleep', 'x'],
];

describeWithTool(busybox, 'info applets print what busybox prints', () => {
  for (const argv of cases) {
    it(argv.join(' '), async () => {
      const { real, model } = await both(argv, { cwdSub: argv[0] === 'pwd' ? 'sub' : undefined });
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      const norm = (r: typeof real) => ({ ...r, stdout: maskStat(r.stdout), stderr: head(r.stderr) });
      expect(norm(model)).toEqual(norm(real));
    });
  }
});
