import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox, makeTree, runModel, STANDARD_TREE } from './harness.js';

const KEYS = 'b 2\na 10\nc 1\na 1\nB 3\n';
const DUPS = 'a\na\nb\nc\nc\nc\nA\na\n';

/** [argv, stdin, env] */
const cases: Array<[string[], string?, Record<string, string>?]> = [
  [['head', '-n', '2', 'a.txt']],
  [['head', '-n', '2', 'a.txt', 'b.txt']],
  [['head', '-c', '3', 'a.txt']],
  [['head', '-n', '-2', 'a.txt']],
  [['head', '-3', 'a.txt']],
  [['head', '-n', 'x', 'a.txt']],
  [['head', 'nope', 'a.txt']],
  [['head', '-n', '1'], 'x\ny\n'],
  [['head', '-v', 'a.txt']],
  [['tail', '-n', '2', 'a.txt', 'b.txt']],
  [['tail', '-n', '+4', 'a.txt']],
  [['tail', '-c', '4', 'a.txt']],
  [['tail', '-2', 'a.txt']],
  [['tail', 'csv']],
  [['tail', '-n', '1'], 'x\ny'],
  [['wc', 'a.txt']],
  [['wc', 'a.txt', 'b.txt']],
  [['wc', '-l', 'a.txt']],
  [['wc', '-l'], 'a\nb\n'],
  [['wc', '-lw', 'a.txt', 'b.txt']],
  [['wc'], 'one two\nthree'],
  [['wc', '-c', 'a.txt', 'nope']],
  [['wc', '-c', 'sub', 'a.txt']],
  [['wc', '-L', 'csv']],
  [['wc', '-L'], 'a\tb\nab\rc\nx\vyz\n'],
  [['wc', '-mLcw'], 'h\u00e9llo w\u00f6rld\n'],
  [['wc', '-mLcw'], 'h\u00e9llo w\u00f6rld\n', { PATH: '/bin', LANG: 'C.UTF-8' }],
  [['wc', '-w'], 'a\u0001b c\n\u0001\u0002\n'],
  [['wc'], 'no newline at the end'],
  [['wc', 'sub']],
  [['head', '-c', '-5', 'a.txt']],
  [['head', '-n', '-1'], 'x\ny'],
  [['head', '-n', '-0', 'a.txt']],
  [['tail', '-c', '+3', 'a.txt']],
  [['tail', '-n', '0', 'a.txt']],
  [['tail', '-c', '100', 'a.txt']],
  [['tail', '-n', '2'], 'x\ny\nz'],
  [['md5sum', 'a.txt', '-'], 'stdin too\n'],
  [['sort', 'nums']],
  [['sort', '-n', 'nums']],
  [['sort', '-rn', 'nums']],
  [['sort', '-un', 'nums']],
  [['sort', '-u'], DUPS],
  [['sort', '-f'], 'B\na\nA\nb\n'],
  [['sort'], 'B\na\nA\nb\n'],
  [['sort', '-k2'], KEYS],
  [['sort', '-k2n'], KEYS],
  [['sort', '-k2,2n', '-k1,1r'], KEYS],
  [['sort', '-r', '-k1,1'], KEYS],
  [['sort', '-t:', '-k2n', 'csv']],
  [['sort', '-t', ':', '-k3', 'csv']],
  [['sort', 'nope']],
  [['uniq'], DUPS],
  [['uniq', '-c'], DUPS],
  [['uniq', '-d'], DUPS],
  [['uniq', '-u'], DUPS],
  [['uniq', '-ci'], DUPS],
  [['cut', '-d:', '-f1,3', 'csv']],
  [['cut', '-d', ':', '-f', '2-', 'csv']],
  [['cut', '-c', '2-4,1', 'csv']],
  [['cut', '-f', '2', 'b.txt']],
  [['cut', '-s', '-d', ' ', '-f', '2', 'b.txt']],
  [['cut', 'a.txt']],
  [['tr', 'a-c', 'A-C'], DUPS],
  [['tr', '-d', 'l'], 'hello\n'],
  [['tr', '-s', 'l'], 'hello\n'],
  [['tr', '[:lower:]', '[:upper:]'], 'hello World\n'],
  [['tr', '-c', 'a-z\\n', 'X'], 'hello World 42\n'],
  [['tr', '-cd', '0-9'], 'a1b2c3\n'],
  [['tr', 'abc', 'x'], 'aabbcc\n'],
  [['tr', ':', '\\n'], 'a:b:c\n'],
  [['tr']],
  [['tee', 'out'], 'tee me\n'],
  [['tee', '-a', 'a.txt'], 'more\n'],
  [['tee', 'nodir/x'], 'x\n'],
  [['seq', '3']],
  [['seq', '2', '0.5', '4']],
  [['seq', '-w', '8', '11']],
  [['seq', '-s', ',', '3']],
  [['seq', '5', '1']],
  [['seq', '3', '-1', '1']],
  [['seq', '-3', '-1']],
  [['seq', '1', 'x']],
  [['md5sum', 'a.txt', 'nope']],
  [['md5sum'], 'hi\n'],
  [['sha256sum', 'a.txt', 'b.txt']],
  [['sha1sum', 'a.txt']],
  [['md5sum', '-c', 'sums']],
];

describeWithTool(busybox, 'text applets print what busybox prints', () => {
  for (const [argv, stdin, env] of cases) {
    it(`${argv.join(' ')}${stdin === undefined ? '' : ` < ${JSON.stringify(stdin)}`}${env ? ` ${JSON.stringify(env)}` : ''}`, async () => {
      const entries = [...STANDARD_TREE, { path: 'sums', data: 'f25dd7b0d55ad5ce1e6a1c9ea6ed5c86  a.txt\n00000000000000000000000000000000  b.txt\n' }];
      const { real, model } = await both(argv, { stdin, entries, env });
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      expect({ ...model, stderr: head(model.stderr) }).toEqual({ ...real, stderr: head(real.stderr) });
    });
  }

  it('yes stops when its reader goes away', async () => {
    const t = makeTree([]);
    try {
      const r = await runModel(t.vfs, ['yes', 'ok'], { cwd: t.dir, stdoutLimit: 100_000 });
      expect(r.code).toBe(1);
      expect(r.stdout.startsWith('ok\nok\n')).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

describeWithTool(busybox, 'applets and process death', () => {
  it('lets ProcessKilled through when the process dies under a write', async () => {
    const { ProcessKilled } = await import('../../../src/runtime/errno.js');
    const { busyboxApplets } = await import('../../../src/runtime/busybox/index.js');
    const { bufferReader, vfsPort } = await import('./harness.js');
    const { Vfs } = await import('../../../src/vfs/vfs.js');
    const dead = { kind: 'pipe' as const, write: async () => { throw new ProcessKilled(13); }, close() {} };
    const p = {
      argv: ['yes'],
      env: new Map<string, string>(),
      cwd: '/',
      cred: { uid: 0, gid: 0, groups: [] },
      stdin: bufferReader(''),
      stdout: dead,
      stderr: dead,
      fs: vfsPort(new Vfs(), () => '/'),
      sys: {} as never,
    };
    await expect(busyboxApplets.get('yes')!(p)).rejects.toBeInstanceOf(ProcessKilled);
  });
});
