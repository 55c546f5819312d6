/**
 * The differential test of the shell: each corpus script runs under the real busybox sh (Debian's
 * busybox-static, whose sh runs its applets without links) in a temporary directory, and under the
 * model's sh over an in-memory filesystem holding the same files; stdout, stderr and the exit
 * status must be the same. Only the temporary directory's path is rewritten to the model's /work.
 */
import { expect, it } from 'vitest';
import { describeWithTool, needTool } from '../support/tools.js';
import { CORPUS } from './corpus.js';
import { modelRun, realRun } from './differential.js';

const busybox = needTool('busybox', 'apt-get install busybox-static');

describeWithTool(busybox, 'the model sh against busybox sh', () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const want = realRun(c);
      const got = await modelRun(c);
      expect({ script: c.script, ...got }).toEqual({ script: c.script, ...want });
    });
  }
});
