import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox } from './harness.js';

const TEXT = 'alpha\nbeta\nAlpha beta\ngamma (1)\ndelta+2\n[x] a*b\nend$\n';

const cases: Array<[string[], string?]> = [
  [['grep', 'alpha', 'a.txt']],
  [['grep', 'a', 'a.txt', 'b.txt', 'nope']],
  [['grep', '-s', 'a', 'nope']],
  [['grep', 'a', 'sub']],
  [['grep', '-c', 'a', 'a.txt', 'b.txt']],
  [['grep', '-l', 'e', 'a.txt', 'b.txt', 'csv']],
  [['grep', '-L', 'e', 'a.txt', 'b.txt', 'csv']],
  [['grep', '-n', '-i', 'alpha'], TEXT],
  [['grep', '-v', 'a'], TEXT],
  [['grep', '-o', 'l.'], TEXT],
  [['grep', '-w', 'beta'], TEXT],
  [['grep', '-x', 'beta'], TEXT],
  [['grep', '-e', 'beta', '-e', 'end'], TEXT],
  [['grep', '-q', 'alpha', 'a.txt', 'nope']],
  [['grep', '-q', 'zzz', 'a.txt']],
  [['grep', '-m1', 'a'], TEXT],
  [['grep', '-A1', 'gamma'], TEXT],
  [['grep', '-B1', 'delta'], TEXT],
  [['grep', '-C1', '-n', 'beta'], TEXT],
  [['grep', '-A1', 'a'], 'a\nb\nc\nd\na\nb\n'],
  [['grep', '-H', 'alpha', 'a.txt']],
  [['grep', '-h', 'a', 'a.txt', 'b.txt']],
  [['grep', '(1)'], TEXT],
  [['grep', '-E', '\\(1\\)'], TEXT],
  [['grep', '-E', 'al|del'], TEXT],
  [['grep', 'al\\|del'], TEXT],
  [['grep', 'a\\{2\\}'], 'aa\na\n'],
  [['grep', '-E', 'a{2}'], 'aa\na\n'],
  [['grep', 'a+2'], TEXT],
  [['grep', '-E', 'a\\+2'], TEXT],
  [['grep', '*b'], TEXT],
  [['grep', '^[[:upper:]]'], TEXT],
  [['grep', '[]x[]'], TEXT],
  [['grep', 'end\\$'], TEXT],
  [['grep', 'd$'], 'end\nmid\n'],
  [['grep', '-F', 'a*b'], TEXT],
  [['grep', '-E', 'ph?a'], TEXT],
  [['grep', '\\(a\\)\\1'], 'aa\nab\n'],
  [['grep', '\\<beta'], TEXT],
  [['grep', '\\('], TEXT],
  [['grep', '-E', '('], TEXT],
  [['grep', '-i', 'ALPHA', 'sub/inner.txt', 'a.txt']],
  [['egrep', 'al|be'], TEXT],
  [['fgrep', '(1)'], TEXT],
  [['grep']],
];

describeWithTool(busybox, 'grep matches as busybox does', () => {
  for (const [argv, stdin] of cases) {
    it(`${argv.join(' ')}${stdin === undefined ? '' : ' < TEXT'}`, async () => {
      const { real, model } = await both(argv, { stdin });
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      expect({ ...model, stderr: head(model.stderr) }).toEqual({ ...real, stderr: head(real.stderr) });
    });
  }

  // readdir order differs between the disk and the model: compare -r's lines as sets.
  for (const argv of [['grep', '-r', 'a', '.'], ['grep', '-rl', 'alpha', 'sub', 'a.txt'], ['grep', '-rn', 'Alpha', '.']]) {
    it(argv.join(' '), async () => {
      const { real, model } = await both(argv);
      const sorted = (s: string) => s.split('\n').sort();
      expect(sorted(model.stdout)).toEqual(sorted(real.stdout));
      expect([model.stderr, model.code]).toEqual([real.stderr, real.code]);
    });
  }
});
