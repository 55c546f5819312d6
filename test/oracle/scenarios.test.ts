/**
 * The side-by-side scenarios in the suite: each test/oracle/scenarios/*.sh runs through the real
 * docker CLI against a private real dockerd (with its bridge, under flock /tmp/boxlab-dockerd.lock)
 * and against `boxlab daemon`, and the normalised transcripts must be equal step by step. It runs
 * the harness itself (run.sh, compare.py: byte-identical copies of ../shared/scenarios, plus this
 * project's own scenarios), so the suite and `run.sh` can never disagree.
 *
 * run.sh starts the daemon from package.json's bin (dist/): the build is brought up to date first
 * (`npm ci` builds it through `prepare`; a source newer than dist/ rebuilds it here).
 *
 * A scenario is expected to pass only once boxlab has its verbs: EXPECTED lists them. The rest are
 * listed as todo; BOXLAB_SCENARIOS_ALL=1 runs them too and prints their figures without failing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = join(HERE, '..', '..');
const DIR = join(HERE, 'scenarios');
const IMAGE_TAR = join(PROJECT, 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar');

/** Scenarios whose verbs boxlab serves today: each must be N/N. Extend as containers, volumes and networks land. */
export const EXPECTED = [
  'images',
  'images-tags',
  'images-rmi',
  'images-filters',
  'images-inspect',
  'images-save-load',
  'images-system',
  'images-import',
  'lifecycle',
  'processes',
  'diff-commit',
  'containers-more',
  'containers-interactive',
  'containers-everyday',
  'shell-basics',
  'process-env',
  'shell-jobs',
  'volumes',
  'volumes-more',
  'volumes-from',
  'kernel-views',
  'fd-limits',
  'network',
  'network-more',
  'network-container',
  'network-names',
  'network-names-2',
  'network-names-3',
  'network-names-4',
  'ports',
  'update',
  'run-flags',
  'run-flags-2',
];

const scenarios = readdirSync(DIR)
  .filter((f) => f.endsWith('.sh') && f !== 'run.sh')
  .map((f) => basename(f, '.sh'))
  .sort();

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when a source is newer than the daemon's entry point (or it is missing). */
async function ensureBuilt(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(PROJECT, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    /* not built */
  }
  if (built >= newestMtime(join(PROJECT, 'src'))) return;
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT });
}

interface Outcome {
  ok: number;
  total: number;
  summary: string;
  diff: string;
}

// asynchronous: a worker blocked for minutes in spawnSync misses vitest's own messages
const run = promisify(execFile);

async function runScenario(name: string): Promise<Outcome> {
  const keep = mkdtempSync('/tmp/scn-keep.');
  try {
    // run.sh exits 1 when a step differs: its output is the answer either way
    const r = await run(join(DIR, 'run.sh'), ['--project', PROJECT, '--keep', keep, join(DIR, `${name}.sh`)], {
      cwd: PROJECT,
      // TMPDIR: the scenario's dockerd and its containerd (which may dump its stacks there) with it
      env: { ...process.env, SCENARIO_IMAGE_TAR: IMAGE_TAR, TMPDIR: keep },
      timeout: 15 * 60_000,
      maxBuffer: 64 << 20,
    }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) }));
    const summary = /(\S+): (\d+)\/(\d+) steps as real Docker/.exec(r.stdout ?? '');
    const errs = ['docker.err', 'boxlab.err'].map((s) => {
      try {
        return readFileSync(join(keep, `${name}.${s}`), 'utf8');
      } catch {
        return '';
      }
    });
    return {
      ok: Number(summary?.[2] ?? 0),
      total: Number(summary?.[3] ?? -1),
      summary: summary?.[0] ?? `(no summary) ${r.stdout}`,
      diff: `${r.stderr}\n${errs.join('\n')}`.trim(),
    };
  } finally {
    rmSync(keep, { recursive: true, force: true });
    sweepDockerdLeftovers();
  }
}

/**
 * run.sh (kept byte-identical to the shared copy) cannot remove its dockerd's directory: dockerd leaves
 * its default network namespace bind-mounted in the exec root. Unmount it and remove what is left, for
 * each daemon that has stopped.
 */
function sweepDockerdLeftovers(): void {
  for (const n of readdirSync('/tmp').filter((f) => f.startsWith('scn-dk.'))) {
    const d = join('/tmp', n);
    let pid = '';
    try {
      pid = readFileSync(join(d, 'pid'), 'utf8').trim();
    } catch {
      // no pid file: the daemon is gone
    }
    if (pid && existsSync(`/proc/${pid}`)) continue;
    spawnSync('umount', ['-l', join(d, 'exec', 'netns', 'default')], { stdio: 'ignore' });
    rmSync(d, { recursive: true, force: true });
  }
}

describeWithTool(
  [needRoot(), needTool('dockerd', 'apt-get install docker.io'), needTool('docker', 'apt-get install docker.io'), needTool('python3', 'apt-get install python3')],
  'side-by-side scenarios: the docker CLI against dockerd and against boxlab daemon',
  () => {
    beforeAll(ensureBuilt, 600_000);

    for (const name of scenarios) {
      if (EXPECTED.includes(name)) {
        it(`${name}: every step as real Docker`, async () => {
          const o = await runScenario(name);
          expect(o.total, o.summary).toBeGreaterThan(0);
          expect(`${o.summary}\n${o.diff}`).toContain(`${name}: ${o.total}/${o.total} steps as real Docker`);
        }, 20 * 60_000);
      } else if (process.env.BOXLAB_SCENARIOS_ALL === '1') {
        it(`${name} (not expected yet): its figures`, async () => {
          process.stderr.write(`${(await runScenario(name)).summary}\n`);
        }, 20 * 60_000);
      } else {
        it.todo(`${name}: waits for its verbs in boxlab (add it to EXPECTED when they land)`);
      }
    }

    it('keeps the shared scenarios byte-identical to ../shared/scenarios when that copy is there', () => {
      const shared = join(PROJECT, '..', 'shared', 'scenarios');
      let names: string[];
      try {
        names = readdirSync(shared);
      } catch {
        return; // a checkout without shared/ beside it: nothing to compare
      }
      for (const n of names) expect(readFileSync(join(DIR, n)).equals(readFileSync(join(shared, n))), n).toBe(true);
    });
  },
);
