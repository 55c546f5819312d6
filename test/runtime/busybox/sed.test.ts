import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, bothWithTrees, busybox } from './harness.js';

const T = 'one\ntwo\nthree\nfour\nfive\n';

const cases: Array<[string[], string?]> = [
  [['sed', 's/o/0/'], T],
  [['sed', 's/o/0/g'], T],
  [['sed', 's/o/0/2'], 'foo boo\n'],
  [['sed', '-n', 's/o/0/gp'], T],
  [['sed', 's/\\(o\\)/[\\1&]/g'], T],
  [['sed', '-E', 's/(t)(w|h)/\\2\\1/'], T],
  [['sed', 's|/|:|g'], '/a/b\n'],
  [['sed', 's/b*/X/g'], 'abc\n'],
  [['sed', 's/a/x\\ny/'], 'a\n'],
  [['sed', 's/O/0/I'], T],
  [['sed', '-n', '$p'], T],
  [['sed', '-n', '2p'], T],
  [['sed', '-n', '2,4p'], T],
  [['sed', '-n', '2,+1p'], T],
  [['sed', '-n', '/t/p'], T],
  [['sed', '-n', '/two/,/four/p'], T],
  [['sed', '/two/,/four/d'], T],
  [['sed', '3,1d'], T],
  [['sed', '2!d'], T],
  [['sed', '2q'], T],
  [['sed', '2q5'], T],
  [['sed', '-n', '2{p'], T],
  [['sed', 'b foo'], T],
  [['sed', '-n', '/t/{p;p}'], T],
  [['sed', '1!G;h;$!d'], T],
  [['sed', '='], T],
  [['sed', '2a\\\nadded'], T],
  [['sed', '1i hello'], T],
  [['sed', '2c\\changed'], T],
  [['sed', '2,3c\\changed'], T],
  [['sed', '$!N;s/\\n/-/'], T],
  [['sed', 'N;P;D'], T],
  [['sed', 'y/otw/OTW/'], T],
  [['sed', '-e', 's/one/1/', '-e', 's/two/2/'], T],
  [['sed', ':a;s/^.\\{1,4\\}$/ &/;ta'], 'ab\nabcdef\n'],
  [['sed', '/^t/!s/$/!/'], T],
  [['sed', 's/x/y/'], 'no newline'],
  [['sed', '-n', 'p', 'a.txt', 'b.txt']],
  [['sed', '-s', '-n', '$p', 'a.txt', 'b.txt']],
  [['sed', 'p', 'nope']],
  [['sed', 's/o/0']],
  [['sed', 'k']],
  [['sed', '-n', '2{p']],
  [['sed', '/x/,/y/']],
  [['sed', 'b foo']],
  [['sed']],
];

describeWithTool(busybox, 'sed edits as busybox does', () => {
  for (const [argv, stdin] of cases) {
    it(`${JSON.stringify(argv)}${stdin === undefined ? '' : ' < T'}`, async () => {
      const { real, model } = await both(argv, { stdin });
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      expect({ ...model, stderr: head(model.stderr) }).toEqual({ ...real, stderr: head(real.stderr) });
    });
  }

  for (const argv of [['sed', '-i', 's/a/A/g', 'a.txt', 'csv'], ['sed', '-i', '2d', 'b.txt'], ['sed', '-n', 'w out', 'a.txt']]) {
    it(`${JSON.stringify(argv)} changes the files`, async () => {
      const { real, model } = await bothWithTrees(argv);
      expect(model).toEqual(real);
    });
  }
});
