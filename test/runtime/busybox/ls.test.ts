import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox } from './harness.js';

const cases: string[][] = [
  ['ls'],
  ['ls', '-1'],
  ['ls', '-A'],
  ['ls', '-l'],
  ['ls', '-ln'],
  ['ls', '-lh'],
  ['ls', '-la', 'sub'],
  ['ls', '-lA', 'sub'],
  ['ls', '-R'],
  ['ls', '-lR', 'sub'],
  ['ls', '-d', 'sub', 'a.txt'],
  ['ls', '-ld', 'sub', 'dirlink', 'dangling'],
  ['ls', 'dirlink'],
  ['ls', '-l', 'dirlink'],
  ['ls', 'a.txt', 'sub', 'nope', 'other'],
  ['ls', '-s'],
  ['ls', '-F'],
  ['ls', '-p', 'sub'],
  ['ls', '-r'],
  ['ls', '-S'],
  ['ls', '-l', 'sub', '-r'],
  ['ls', '-z'],
];

describeWithTool(busybox, 'ls as busybox prints it', () => {
  for (const argv of cases) {
    it(argv.join(' '), async () => {
      const { real, model } = await both(argv);
      if (argv.includes('-z')) {
        expect(model.stderr.split('\n').slice(0, 4)).toEqual(real.stderr.split('\n').slice(0, 4));
        expect(model.code).toBe(real.code);
        return;
      }
      expect(model).toEqual(real);
    });
  }
});
