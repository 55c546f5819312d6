/**
 * Differential test of mount namespaces against the kernel: the same host tree, image tree, mounts
 * (tmpfs over an image directory, binds of a directory and of a single file, a bind inside the
 * image, read-only mounts) and calls, made by root or by uid 1000, on boxlab's MountNamespace and
 * in a real mount namespace (`unshare -m`, the calls chrooted into the image; kernel_side.py). The
 * results of the calls (errno or what was read), the image tree as seen through the mounts, the
 * host tree behind the binds (type, mode, owner, size, content, symlink target, hardlink groups,
 * which paths share a device) and the mount table must be the same.
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeWithTool, needRoot, needTool, requirement, type Requirement } from '../support/tools.js';
import { caseArb, normalise, type NsCase, type Outcome } from './ns-kernel/case.js';
import { runModel } from './ns-kernel/model-side.js';
import { SCENARIOS } from './ns-kernel/scenarios.js';

const SCRIPT = fileURLToPath(new URL('./ns-kernel/kernel_side.py', import.meta.url));
/** The interpreter itself: a version manager's `python3` shim costs a second per start. */
let python = 'python3';

async function runKernel(c: NsCase): Promise<Outcome> {
  const child = promisify(execFile)('unshare', ['-m', python, SCRIPT], { maxBuffer: 16 << 20 });
  child.child.stdin!.end(JSON.stringify(c));
  return JSON.parse((await child).stdout) as Outcome;
}

function kernelNamespace(): Requirement {
  const base = [needRoot(), needTool('unshare', 'apt-get install util-linux'), needTool('python3', 'apt-get install python3')];
  if (base.some((r) => !r.available)) return base.find((r) => !r.available)!;
  try {
    python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim();
    const probe: NsCase = { host: [], image: [{ path: 'a', type: 'dir' }], mounts: [{ type: 'tmpfs', target: '/a' }], user: 'user', ops: [] };
    execFileSync('unshare', ['-m', python, SCRIPT], { input: JSON.stringify(probe), stdio: ['pipe', 'pipe', 'pipe'] });
    return requirement('mount namespace', true, '', '');
  } catch (e) {
    const why = String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n').pop();
    return requirement('mount namespace', false, `unshare -m with tmpfs and bind mounts failed: ${why}`, 'run as root on Linux with util-linux');
  }
}

async function compare(c: NsCase): Promise<void> {
  const kernel = await runKernel(c);
  const model = runModel(c);
  const view = (o: Outcome) => ({ results: o.results, image: normalise(o.image), host: normalise(o.host), mounts: o.mounts });
  try {
    expect(view(model)).toEqual(view(kernel));
  } catch (e) {
    // The whole case, for `npx tsx test/vfs/ns-kernel/replay.ts FILE`.
    const file = join(tmpdir(), 'boxlab-ns-failure.json');
    writeFileSync(file, JSON.stringify(c));
    throw Object.assign(e as Error, { message: `${(e as Error).message}\ncase written to ${file}` });
  }
}

describeWithTool(kernelNamespace(), 'mount namespaces against the kernel', () => {
  it.each(SCENARIOS)('agrees with the kernel: $name', async ({ case: c }) => {
    await compare(c);
  });

  const runs = Number(process.env.BOXLAB_KERNEL_RUNS ?? 40);
  it('agrees with the kernel on generated mounts, callers and call sequences', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await compare(c);
      }),
      // No shrinking: a kernel case costs a second here; the failing case is printed whole.
      { numRuns: runs, seed: Number(process.env.BOXLAB_KERNEL_SEED ?? 1313), endOnFailure: true },
    );
  }, 30_000 + 1_500 * runs);
});
