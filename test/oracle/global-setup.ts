/**
 * vitest globalSetup: ONE private dockerd for the whole run, when this machine can have one (dockerd on
 * PATH and we are root). Workers get its DOCKER_HOST through `inject('docker')` (see docker.ts); when
 * there is no daemon they get the reason instead, and the tests that need it skip loudly or, under
 * BOXLAB_REQUIRE_TOOLS=1, fail (test/support/tools.ts). The teardown stops the daemon by its pid and
 * removes its state, whether or not the tests passed.
 *
 * It also gives the run an id (BOXLAB_RUN_ID) so that tools.ts prints each missing tool once per run.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { onPath } from '../support/requirements.js';
import { startDockerd, stopDockerd, stopDockerdDetached, type Daemon } from './daemon.js';

export interface DockerProvided {
  /** DOCKER_HOST of the private daemon, or null when there is none. */
  host: string | null;
  /** Why there is none ('' when there is). */
  reason: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    docker: DockerProvided;
  }
}

async function startIfPossible(): Promise<{ daemon?: Daemon; reason: string }> {
  if (!onPath('dockerd')) return { reason: 'dockerd not on PATH' };
  if (process.getuid?.() !== 0) return { reason: 'a private dockerd needs root' };
  try {
    return { daemon: await startDockerd(), reason: '' };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.env.BOXLAB_RUN_ID ??= `${process.pid}-${Date.now()}`;
  // the run's own TMPDIR (workers inherit it): what a test leaves behind is seen at the end
  const runTmp = mkdtempSync(join(tmpdir(), 'boxlab-run-'));
  // tsx's compile cache is no leftover: the CLI tests give their children the outer TMPDIR for it
  process.env.BOXLAB_OUTER_TMPDIR ??= tmpdir();
  // and the benchmark images' cache (bench/images.ts) is meant to outlive a run
  process.env.BOXLAB_BENCH_CACHE ??= join(tmpdir(), `boxlab-bench-cache-${process.getuid?.() ?? 'u'}`);
  process.env.TMPDIR = runTmp;
  const runDir = join(tmpdir(), `boxlab-tools-${process.env.BOXLAB_RUN_ID}`);

  const { daemon, reason } = await startIfPossible();
  project.provide('docker', { host: daemon?.host ?? null, reason });

  // Interrupted (Ctrl-C, a CI timeout), vitest exits without running the teardown: stop the daemon
  // through a detached reaper from the 'exit' handler, and turn signals into an exit. Prepended:
  // vitest's own handlers call process.exit(), which skips every listener after them.
  const onExit = () => {
    if (daemon) stopDockerdDetached(daemon);
    rmSync(runTmp, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => process.exit(128 + (osConstants.signals[sig] ?? 1));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  process.prependOnceListener('exit', onExit);
  for (const sig of signals) process.prependOnceListener(sig, onSignal);

  return async () => {
    process.off('exit', onExit);
    for (const sig of signals) process.off(sig, onSignal);
    if (daemon) await stopDockerd(daemon);
    rmSync(runDir, { recursive: true, force: true });
    const left = readdirSync(runTmp).filter((e) => !e.startsWith('tsx-'));
    rmSync(runTmp, { recursive: true, force: true });
    // fails the run: every test cleans up after itself (test/support/cleanup.ts), on failure too
    if (left.length) throw new Error(`the tests left ${left.length} temporary entries in TMPDIR: ${left.slice(0, 10).join(', ')}`);
  };
}
