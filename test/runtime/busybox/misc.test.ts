import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import type { StatFs } from '../../../src/runtime/busybox/ext.js';
import { both, busybox, makeTree, runModel, runReal, STANDARD_TREE } from './harness.js';

const cases: string[][] = [
  ['expr', '1', '+', '2'],
  ['expr', '5', '*', '3'],
  ['expr', '7', '/', '2'],
  ['expr', '-7', '%', '3'],
  ['expr', '3', '>', '2'],
  ['expr', 'abc', '<', 'abd'],
  ['expr', 'abc', ':', 'a\\(.\\)'],
  ['expr', 'abc', ':', 'a.'],
  ['expr', 'length', 'hello'],
  ['expr', 'substr', 'hello', '2', '3'],
  ['expr', 'index', 'hello', 'l'],
  ['expr', 'match', 'abc', 'ab'],
  ['expr', '1', '/', '0'],
  ['expr', 'a', '+', '1'],
  ['expr', '0'],
  ['expr'],
  ['expr', '1', '=', '1', '|', '0'],
  ['expr', '', '&', '1'],
  ['expr', '(', '1', '+', '2', ')', '*', '3'],
  ['test', '1', '-eq', '1'],
  ['test', 'a', '=', 'b'],
  ['test', '-f', 'a.txt', '-a', '-d', 'sub'],
  ['test', '-L', 'link', '-o', '-e', 'nope'],
  ['test', '!', '-e', 'nope'],
  ['test', '-s', 'sub/deep/leaf'],
  ['test', '-u', 'setuid'],
  ['test', '-k', 'sticky'],
  ['test', '-x', 'run.sh'],
  ['test', 'a.txt', '-ef', 'hard'],
  ['test', '1', '-eq', 'x'],
  ['test', '(', 'x', ')'],
  ['test', ''],
  ['test'],
  ['test', '-z', ''],
  ['[', 'a', '=', 'a', ']'],
  ['[', 'a'],
  ['printf', '%s-%d\\n', 'a', '5', 'b', '6'],
  ['printf', '%5.2f|%x|%o|%c|%b\\n', '3.14159', '255', '8', 'hello', 'a\\tb'],
  ['printf', 'x\\n', 'extra'],
  ['printf', '%d\\n', 'abc'],
  ['printf', '%d\\n', '3.5'],
  ['printf', '\\101\\n'],
  ['printf', '%s\\n'],
  ['printf', '%-4s|%04d|%+d|%X\\n', 'ab', '42', '7', '255'],
  ['printf', '%d %d\\n', "'A", '0x10'],
  ['printf'],
  ['which', 'ls', 'nope', 'sh'],
  ['which', './run.sh'],
  ['du', 'sub'],
  ['du', '-s', 'sub'],
  ['du', '-h', 'sub'],
  ['du', '-a', 'sub'],
  ['du', '-k', 'a.txt'],
  ['du', '-c', 'a.txt', 'b.txt'],
  ['du', 'nope'],
  ['hexdump', '-C', 'a.txt'],
  ['hexdump', '-C', 'sub/deep/leaf'],
  ['hexdump', '-C', 'zeros'],
  ['hexdump', '-C', 'nope'],
  ['od', '-c', 'b.txt'],
  ['od', 'a.txt'],
  ['od', '-x', 'a.txt'],
  ['od', '-b', 'a.txt'],
  ['od', '-An', '-tx1', 'csv'],
  ['od', 'zeros'],
];

describeWithTool(busybox, 'expr, test, printf, which, du as busybox', () => {
  for (const argv of cases) {
    it(JSON.stringify(argv), async () => {
      const entries = [...STANDARD_TREE, { path: 'zeros', data: '\0'.repeat(48) + 'tail\x01\x7f' }];
      const { real, model } = await both(argv, { entries });
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      // which looks at the real PATH: the model's filesystem has no /usr/bin, so its ls and sh are not there.
      if (argv[0] === 'which' && argv[1] === 'ls') {
        expect(model).toEqual({ stdout: '', stderr: '', code: 1 });
        return;
      }
      expect({ ...model, stderr: head(model.stderr) }).toEqual({ ...real, stderr: head(real.stderr) });
    });
  }

  it('mount prints the lines of /proc/mounts as busybox does', async () => {
    const t = makeTree([]);
    try {
      t.vfs.mkdir('/proc');
      t.vfs.writeFile('/proc/mounts', readFileSync('/proc/mounts'));
      const model = await runModel(t.vfs, ['mount'], { cwd: t.dir });
      const real = runReal(['mount'], { cwd: t.dir });
      expect(model).toEqual(real);
      const typed = await runModel(t.vfs, ['mount', '-t', 'proc'], { cwd: t.dir });
      expect(typed.stdout).toBe(runReal(['mount', '-t', 'proc'], { cwd: t.dir }).stdout);
    } finally {
      t.cleanup();
    }
  });

  it('free prints /proc/meminfo in busybox columns', async () => {
    const t = makeTree([]);
    try {
      t.vfs.mkdir('/proc');
      t.vfs.writeFile('/proc/meminfo', 'MemTotal:        1000000 kB\nMemFree:          600000 kB\nMemAvailable:     800000 kB\nBuffers:           10000 kB\nCached:            90000 kB\nShmem:              5000 kB\nSReclaimable:      10000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n');
      const model = await runModel(t.vfs, ['free'], { cwd: t.dir });
      const realHeader = runReal(['free'], { cwd: t.dir }).stdout.split('\n')[0];
      expect(model.stdout.split('\n')[0]).toBe(realHeader);
      expect(model.stdout).toBe(
        `${realHeader}\nMem:${'1000000'.padStart(15)}${'290000'.padStart(12)}${'600000'.padStart(12)}${'5000'.padStart(12)}${'110000'.padStart(12)}${'800000'.padStart(12)}\nSwap:${'0'.padStart(14)}${'0'.padStart(12)}${'0'.padStart(12)}\n`,
      );
    } finally {
      t.cleanup();
    }
  });
});

describeWithTool(busybox, 'df and stat -f over the statfs extension', () => {
  const fs: StatFs = { type: 'overlayfs', magic: 0x794c7630, bsize: 4096, blocks: 66053021, bfree: 60138027, bavail: 20682734, files: 16777216, ffree: 16346119, namelen: 255, fsid: '1747b5cd2ae8f2f4' };
  const proc = 'overlay / overlay rw,relatime,lowerdir=/l 0 0\nproc /proc proc rw,nosuid 0 0\nshm /dev/shm tmpfs rw 0 0\n';
  const statfs = async (p: string): Promise<StatFs> => (p === '/proc' ? { ...fs, blocks: 0, bfree: 0, bavail: 0 } : p === '/dev/shm' ? { ...fs, blocks: 16384, bfree: 16384, bavail: 16384 } : fs);

  async function model(argv: string[]) {
    const t = makeTree([]);
    try {
      t.vfs.mkdir('/proc');
      t.vfs.writeFile('/proc/mounts', proc);
      return await runModel(t.vfs, argv, { cwd: t.dir, statfs });
    } finally {
      t.cleanup();
    }
  }

  it('df prints busybox columns, skipping filesystems with no blocks', async () => {
    const header = runReal(['df'], { cwd: '/' }).stdout.split('\n')[0];
    const r = await model(['df']);
    expect(r.stdout).toBe(
      `${header}\noverlay              264212084  23659976  82730936  23% /\nshm                      65536         0     65536   0% /dev/shm\n`,
    );
  });

  it('df -h uses busybox human sizes', async () => {
    const header = runReal(['df', '-h'], { cwd: '/' }).stdout.split('\n')[0];
    const r = await model(['df', '-h']);
    expect(r.stdout.split('\n')[0]).toBe(header);
    expect(r.stdout.split('\n')[1]).toBe('overlay                 252.0G     22.6G     78.9G  23% /');
  });

  it('stat -f prints the filesystem as busybox does', async () => {
    const r = await model(['stat', '-f', '/']);
    expect(r.stdout).toBe(
      '  File: "/"\n    ID: 1747b5cd2ae8f2f4 Namelen: 255     Type: overlayfs\nBlock size: 4096      \nBlocks: Total: 66053021   Free: 60138027   Available: 20682734\nInodes: Total: 16777216   Free: 16346119\n',
    );
  });
});
