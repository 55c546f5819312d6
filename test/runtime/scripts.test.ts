/**
 * The kernel differential of the overlay, lifted to whole scripts. Generated busybox sh scripts (and a
 * few hand-written edges) run twice: by the image's own busybox chrooted in a real overlay mount of the
 * dk-build image's layers (kernel-side.mjs, under `unshare -m`, as root), and by `docker exec` in a
 * boxlab container of that image, through the real docker CLI against an in-process boxlab daemon.
 * stdout, stderr, the exit status, the merged tree (type, mode, owner, size, content, link target,
 * hardlink groups) and `docker diff` must be the same.
 *
 * BOXLAB_SCRIPT_RUNS sets the number of generated scripts (30 by default), BOXLAB_SCRIPT_SEED the first
 * seed; a failure names its seed, and `npx tsx test/runtime/scripts/replay.ts SEED` shows both sides.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { describeWithTool, needRoot, needTool } from '../support/tools.js';
import { EDGES, generate } from './scripts/generate.js';
import { ARCHIVE, boxlabRun, dockerAt, kernelRun, type Docker, type Outcome } from './scripts/sides.js';

const RUNS = Number(process.env.BOXLAB_SCRIPT_RUNS ?? 30);
const SEED = Number(process.env.BOXLAB_SCRIPT_SEED ?? 20261129);

const reqs = [
  needRoot(),
  needTool('unshare', 'apt-get install util-linux'),
  needTool('docker', 'apt-get install docker.io'),
  needTool('setfattr', 'apt-get install attr'),
  needTool('mkfs.ext4', 'apt-get install e2fsprogs'),
];

const cases = [
  ...EDGES.map((e) => ({ name: `edge: ${e.name}`, script: e.script })),
  ...Array.from({ length: RUNS }, (_, i) => ({ name: `generated, seed ${SEED + i}`, script: generate(SEED + i) })),
];

describeWithTool(reqs, 'whole scripts: a boxlab container against busybox on a kernel overlay', () => {
  let dir: string;
  let daemon: Daemon;
  let docker: Docker;
  let kernel: Promise<Outcome[]>;

  beforeAll(async () => {
    // the kernel side runs every script in one child while boxlab's side goes one by one
    kernel = kernelRun(cases.map((c) => c.script));
    kernel.catch(() => {});
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-scripts-'));
    const sock = join(dir, 'docker.sock');
    daemon = await Daemon.start(await Engine.open({ root: join(dir, 'root') }), { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
    docker = dockerAt(sock);
    const load = await docker(['load', '-i', ARCHIVE]);
    if (load.code !== 0) throw new Error(`docker load: ${load.stderr}`);
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const got = await boxlabRun(docker, c.script);
      const want = (await kernel)[i]!;
      expect({ script: c.script, ...got }).toEqual({ script: c.script, ...want });
    }, 120_000);
  });
});
