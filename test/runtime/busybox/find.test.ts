import { expect, it } from 'vitest';
import type { Program } from '../../../src/runtime/program.js';
import { busyboxApplets } from '../../../src/runtime/busybox/index.js';
import { describeWithTool } from '../../support/tools.js';
import { both, busybox } from './harness.js';

/** echo, true and false belong to the shell's programs (another branch); the tests bring their own. */
const echo: Program = async (p) => {
  await p.stdout.write(p.argv.slice(1).join(' ') + '\n');
  return 0;
};
const programs = new Map([...busyboxApplets, ['echo', echo], ['true', async () => 0], ['false', async () => 1]]);

/** find walks in readdir order, which differs between the disk and the model: lines compare as sorted lists. */
const findCases: string[][] = [
  ['find'],
  ['find', '.', '-name', '*.txt'],
  ['find', 'sub', '-type', 'd'],
  ['find', '.', '-type', 'l'],
  ['find', '.', '-maxdepth', '1'],
  ['find', 'sub', '-mindepth', '1', '!', '-name', 'leaf'],
  ['find', '.', '-path', '*deep*'],
  ['find', '.', '-name', 'sub', '-prune', '-o', '-type', 'f', '-print'],
  ['find', '.', '-empty'],
  ['find', '.', '-iname', 'ALPHA*'],
  ['find', '.', '-perm', '-4000'],
  ['find', '.', '-user', 'daemon'],
  ['find', '.', '-group', '2'],
  ['find', '.', '-size', '-1'],
  ['find', '.', '-size', '+20c', '-type', 'f'],
  ['find', '.', '(', '-name', 'a*', '-o', '-name', 'b*', ')', '-type', 'f'],
  ['find', 'sub', '-exec', 'echo', 'got', '{}', ';'],
  ['find', 'sub', '-exec', 'echo', '{}', '+'],
  ['find', 'sub', '-type', 'f', '-exec', 'false', ';', '-print'],
  ['find', 'nope', 'sub'],
  ['find', '.', '-foo'],
  ['find', '.', '-name'],
  ['find', '-L', 'dirlink'],
  ['find', 'dirlink'],
  ['find', 'sub', '-depth'],
];

const xargsCases: Array<[string[], string]> = [
  [['xargs', 'echo', 'X'], 'a b\nc\n'],
  [['xargs', '-n', '2', 'echo'], 'a b c\n'],
  [['xargs', '-I{}', 'echo', '[{}]'], 'a b\nc\n'],
  [['xargs', '-t', 'echo'], 'a\n'],
  [['xargs', 'echo'], ''],
  [['xargs', '-r', 'echo', 'x'], ''],
  [['xargs'], '"quoted arg" \'single\' back\\ slash\n'],
  [['xargs', '-0', 'echo'], 'a b\0c\0'],
  [['xargs', 'false'], 'a\n'],
  [['xargs', 'echo'], '"unterminated\n'],
  [['xargs', 'ls', '-d'], 'sub a.txt\n'],
];

describeWithTool(busybox, 'find and xargs as busybox runs them', () => {
  for (const argv of findCases) {
    it(argv.join(' '), async () => {
      const { real, model } = await both(argv, { programs });
      const sorted = (s: string) => s.split('\n').sort();
      const head = (s: string) => s.split('\n').slice(0, 3).join('\n');
      expect(sorted(model.stdout)).toEqual(sorted(real.stdout));
      expect([head(model.stderr), model.code]).toEqual([head(real.stderr), real.code]);
    });
  }
  for (const [argv, stdin] of xargsCases) {
    it(`${argv.join(' ')} < ${JSON.stringify(stdin)}`, async () => {
      const { real, model } = await both(argv, { programs, stdin });
      expect(model).toEqual(real);
    });
  }
});
