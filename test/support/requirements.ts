/**
 * The pure half of the real-tool rule (see tools.ts for the vitest half): what a test needs, whether it
 * is there, and what to do about it. No vitest import here, so vitest's globalSetup can use it too.
 */
import { spawnSync } from 'node:child_process';

export interface Requirement {
  /** What is needed, as a user would name it: `umoci`, `root`, `dockerd`, `overlay mount`. */
  readonly name: string;
  readonly available: boolean;
  /** Why it is not available ('' when it is). */
  readonly reason: string;
  /** How to get it: the install command, or what to do. */
  readonly install: string;
}

export type Decision = 'run' | 'skip' | 'fail';

/** True when the run must not skip: BOXLAB_REQUIRE_TOOLS=1 (or any value but '', '0', 'false'). */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.BOXLAB_REQUIRE_TOOLS ?? '';
  return v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Run when everything is there; otherwise skip, or fail when tools are required. */
export function decide(reqs: readonly Requirement[], required: boolean): Decision {
  if (reqs.every((r) => r.available)) return 'run';
  return required ? 'fail' : 'skip';
}

/** The one loud line for a missing requirement. */
export function missingLine(r: Requirement, required: boolean): string {
  const head = required ? 'FAIL (tool missing, BOXLAB_REQUIRE_TOOLS=1)' : 'SKIP (tool missing)';
  return `${head}: ${r.name} (${r.reason}) — install with: ${r.install}`;
}

export function requirement(name: string, available: boolean, reason: string, install: string): Requirement {
  return { name, available, reason: available ? '' : reason, install };
}

const found = new Map<string, boolean>();

/** Is `cmd` on PATH? (`command -v`, cached per process.) */
export function onPath(cmd: string): boolean {
  let ok = found.get(cmd);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
    found.set(cmd, ok);
  }
  return ok;
}

/** A command-line tool: available when `cmd` is on PATH. */
export function needTool(cmd: string, install: string): Requirement {
  return requirement(cmd, onPath(cmd), 'not on PATH', install);
}

/** Root (uid 0): mounts, chown to other users, a private dockerd. */
export function needRoot(): Requirement {
  const uid = process.getuid?.() ?? -1;
  return requirement('root', uid === 0, `running as uid ${uid}`, 'run the tests as root (sudo npm test)');
}
