/**
 * Differential test against the real kernel: random lower layers and random operation sequences,
 * applied to boxlab's overlay (every strategy) and to a real overlay mount of the same layers in a
 * child process under `unshare -m`; the results of each operation, the merged tree and the upper
 * directory must be the same (type, mode, owner, size, content digest, symlink target, hardlink
 * groups, opaque marks). Needs root, unshare, mount, mknod and getfattr/setfattr. Where they are
 * missing it skips with one loud line, unless BOXLAB_REQUIRE_TOOLS=1 (CI), where it fails;
 * BOXLAB_NO_KERNEL=1 turns it into a skip even then.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb, normalise, type Case, type SnapEntry } from './kernel/case.js';
import { runModel } from './kernel/model-side.js';
import { SEEDS } from './kernel/seeds.js';

const SCRIPT = fileURLToPath(new URL('./kernel/kernel-side.mjs', import.meta.url));

interface KernelOutput {
  results: string[];
  merged: SnapEntry[];
  upper: SnapEntry[];
}

function runKernelSync(c: Case): KernelOutput {
  const out = execFileSync('unshare', ['-m', process.execPath, SCRIPT], { input: JSON.stringify(c), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as KernelOutput;
}

async function runKernel(c: Case): Promise<KernelOutput> {
  const child = promisify(execFile)('unshare', ['-m', process.execPath, SCRIPT], { maxBuffer: 64 << 20 });
  child.child.stdin!.end(JSON.stringify(c));
  return JSON.parse((await child).stdout) as KernelOutput;
}

function missingTools(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root (mount -t overlay needs CAP_SYS_ADMIN)';
  for (const tool of ['unshare', 'mount', 'umount', 'mknod', 'getfattr', 'setfattr', 'mv']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `no \`${tool}\` on PATH${tool.endsWith('fattr') ? ' (apt package attr)' : ''}`;
  }
  try {
    runKernelSync({ layers: [[{ path: 'a', type: 'file', content: 'x' }]], ops: [] });
  } catch (e) {
    return `cannot mount an overlay under unshare -m: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split('\n')[0]}`;
  }
  return null;
}

const optedOut = process.env.BOXLAB_NO_KERNEL === '1';
const missing = optedOut ? null : missingTools();
const required = process.env.BOXLAB_REQUIRE_TOOLS === '1' && !optedOut;

if (optedOut) console.warn('!!! SKIPPED kernel overlay differential test: BOXLAB_NO_KERNEL=1 is set');
else if (missing && !required) console.warn(`!!! SKIPPED kernel overlay differential test: ${missing}`);

async function compare(c: Case): Promise<void> {
  const kernel = await runKernel(c);
  const want = { results: kernel.results, merged: normalise(kernel.merged), upper: normalise(kernel.upper) };
  for (const [strategy, dcache] of [['walk', true], ['walk', false], ['indexed', false]] as const) {
    const model = runModel(c, strategy, dcache);
    const got = { results: model.results, merged: normalise(model.merged), upper: normalise(model.upper) };
    expect(got, `strategy ${strategy}${dcache ? ' + dentry cache' : ''}`).toEqual(want);
  }
}

describe.skipIf(optedOut || (missing !== null && !required))('overlay against the kernel', () => {
  it('has the tools to mount a real overlay', () => {
    expect(missing, 'the kernel differential test cannot run here').toBeNull();
  });

  it.each(SEEDS)('agrees with the kernel on a past counterexample: $name', async ({ case: c }) => {
    if (missing) throw new Error(`kernel overlay differential test cannot run: ${missing}`);
    await compare(c);
  });

  it('gives the same results, merged tree and upper dir as a kernel overlay for random operation sequences', async () => {
    if (missing) throw new Error(`kernel overlay differential test cannot run: ${missing}`);
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        await compare(c);
      }),
      { numRuns: Number(process.env.BOXLAB_KERNEL_RUNS ?? 40) },
    );
  }, 30_000 + 3_000 * Number(process.env.BOXLAB_KERNEL_RUNS ?? 40));
});
