/**
 * Tests that need a real tool (docker, umoci, skopeo, a kernel overlay mount, root).
 *
 * The rule (DEVELOPERS.md): on a machine without the tool, `npm test` still passes and the tests skip,
 * with ONE loud line naming the tool and the command that installs it. Under BOXLAB_REQUIRE_TOOLS=1
 * (set by .ci/run) a missing tool is a failed test instead, so CI never passes by skipping.
 *
 *   const umoci = needTool('umoci', 'apt-get install umoci');
 *   describeWithTool(umoci, 'umoci reads boxlab save', () => { it(...) });
 *   itWithTool([needRoot(), umoci], 'unpacks as root', async () => { ... });
 *
 * Anything can be a requirement (a mount that failed, a daemon that did not start): build one with
 * `requirement(name, available, reason, install)`.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { decide, missingLine, toolsRequired, type Decision, type Requirement } from './requirements.js';

export * from './requirements.js';

/**
 * Print the loud line once per requirement per vitest run, not once per test file: a marker file per
 * name under a directory shared by the run's workers (keyed by BOXLAB_RUN_ID, which global-setup.ts
 * sets, else by the parent pid: vitest's own process under the forks pool).
 */
function announce(r: Requirement, required: boolean): void {
  const line = missingLine(r, required);
  try {
    const dir = join(tmpdir(), `boxlab-tools-${process.env.BOXLAB_RUN_ID ?? process.ppid}`);
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, encodeURIComponent(r.name)), 'wx'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return; // another file of this run said it
  }
  process.stderr.write(`\n${'!'.repeat(8)} ${line}\n\n`);
}

function asList(reqs: Requirement | readonly Requirement[]): readonly Requirement[] {
  return Array.isArray(reqs) ? reqs : [reqs as Requirement];
}

/**
 * Decide for these requirements now (at collection), announcing each missing one. Returns the decision;
 * 'fail' means the caller should register a failing test rather than its real ones.
 */
export function check(reqs: Requirement | readonly Requirement[], env: NodeJS.ProcessEnv = process.env): Decision {
  const list = asList(reqs);
  const required = toolsRequired(env);
  const d = decide(list, required);
  for (const r of list) if (!r.available) announce(r, required);
  return d;
}

function failure(list: readonly Requirement[]): Error {
  const missing = list.filter((r) => !r.available);
  return new Error(missing.map((r) => missingLine(r, true)).join('\n'));
}

/** `describe` that runs only with these requirements met: skipped loudly without them, failed under REQUIRE_TOOLS. */
export function describeWithTool(reqs: Requirement | readonly Requirement[], name: string, fn: () => void): void {
  const list = asList(reqs);
  const d = check(list);
  if (d === 'fail') {
    describe(name, () => {
      it('has the real tools it needs', () => {
        throw failure(list);
      });
    });
    return;
  }
  describe.skipIf(d === 'skip')(name, fn);
}

/** `it` that runs only with these requirements met: skipped loudly without them, failed under REQUIRE_TOOLS. */
export function itWithTool(
  reqs: Requirement | readonly Requirement[],
  name: string,
  fn: () => unknown,
  timeout?: number,
): void {
  const list = asList(reqs);
  const d = check(list);
  if (d === 'fail') {
    it(name, () => {
      throw failure(list);
    });
    return;
  }
  it.skipIf(d === 'skip')(name, fn as () => Promise<void>, timeout);
}
