/**
 * Runs a script under the real busybox sh in a temporary directory and under the model's sh over an
 * in-memory filesystem holding the same files. Only the directory's path is rewritten (to /work).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Case } from './corpus.js';
import { ENV, rootfs, sh } from './harness.js';

export function realRun(c: Case): { stdout: string; stderr: string; status: number } {
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

export async function modelRun(c: Case) {
  const files = Object.fromEntries(Object.entries(c.files ?? {}).map(([p, v]) => [`/work/${p}`, v]));
  const exec = Object.fromEntries(Object.entries(c.exec ?? {}).map(([p, v]) => [`/work/${p}`, v]));
  return sh(c.script, { vfs: rootfs(files, exec), cwd: '/work' });
}

