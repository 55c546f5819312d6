/**
 * The differential test of the shell: each corpus script runs under the real busybox sh (Debian's
 * busybox-static, whose sh runs its applets without links) in a temporary directory, and under the
 * model's sh over an in-memory filesystem holding the same files; stdout, stderr and the exit
 * status must be the same. Only the temporary directory's path is rewritten to the model's /work.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithTool, needTool } from '../support/tools.js';
import { CORPUS, type Case } from './corpus.js';
import { ENV, rootfs, sh } from './harness.js';

const busybox = needTool('busybox', 'apt-get install busybox-static');

function realRun(c: Case): { stdout: string; stderr: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'boxlab-sh-'));
  try {
    for (const [p, content] of Object.entries(c.files ?? {})) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), content);
    }
    for (const [p, content] of Object.entries(c.exec ?? {})) {
      writeFileSync(join(dir, p), content);
      chmodSync(join(dir, p), 0o755);
    }
    const r = spawnSync('busybox', ['sh', '-c', c.script], {
      cwd: dir,
      env: Object.fromEntries(ENV),
      encoding: 'utf8',
      timeout: 20_000,
    });
    const norm = (s: string) => s.split(dir).join('/work');
    return { stdout: norm(r.stdout), stderr: norm(r.stderr), status: r.status ?? 128 + 9 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function modelRun(c: Case) {
  const files = Object.fromEntries(Object.entries(c.files ?? {}).map(([p, v]) => [`/work/${p}`, v]));
  const exec = Object.fromEntries(Object.entries(c.exec ?? {}).map(([p, v]) => [`/work/${p}`, v]));
  return sh(c.script, { vfs: rootfs(files, exec), cwd: '/work' });
}

describeWithTool(busybox, 'the model sh against busybox sh', () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const want = realRun(c);
      const got = await modelRun(c);
      expect({ script: c.script, ...got }).toEqual({ script: c.script, ...want });
    });
  }
});
