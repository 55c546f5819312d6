import { expect, it } from 'vitest';
import { describeWithTool } from '../../support/tools.js';
import { spawnSync } from 'node:child_process';
import { both, busybox, makeTree, runModel } from './harness.js';

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

describeWithTool(busybox, 'ls on a terminal', () => {
  const names = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
  for (const cols of [80, 40, 20]) {
    it(`lays names out down columns as busybox does on a ${cols}-column terminal`, async () => {
      const t = makeTree(names.map((n) => ({ path: n, data: '' })));
      try {
        // script(1) gives the real busybox a terminal of that width.
        const real = spawnSync('script', ['-qc', `stty cols ${cols}; busybox ls`, '/dev/null'], { cwd: t.dir, encoding: 'utf8' }).stdout.replace(/\r/g, '');
        const model = await runModel(t.vfs, ['ls'], { cwd: t.dir, tty: true, env: { COLUMNS: String(cols) } });
        expect(model.stdout).toBe(real);
      } finally {
        t.cleanup();
      }
    });
  }
});
