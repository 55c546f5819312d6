/** boxlab's CLI when misused or interrupted: output paths, closed pipes, load staging, lookups (issue 14). */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, readMembers, tmpdir } from '../helpers/archive.js';
import { itWithTool, needRoot, needTool } from '../support/tools.js';
import { boxlab, childEnv, MAIN } from './run.js';

const WHITEOUTS = path.join(CORPUS, 'whiteouts.docker.tar');
const ALPINE = path.join(import.meta.dirname, '..', '..', 'images', 'alpine.oci.tar');

describe('output files and pipes', () => {
  let root = '';
  beforeAll(async () => {
    root = tmpdir('boxlab-cli-');
    expect((await boxlab(root, ['load', '-i', WHITEOUTS])).code).toBe(0);
  });

  it('save and export -o into a missing directory say so, as docker does, without a stack', async () => {
    expect(await boxlab(root, ['save', '-o', '/nonexistent/x.tar', 'whiteouts'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: failed to save image: invalid output path: stat /nonexistent: no such file or directory\n',
    });
    expect((await boxlab(root, ['export', '-o', '/nonexistent/x.tar', 'whiteouts'])).stderr).toBe(
      'Error: failed to export image: invalid output path: stat /nonexistent: no such file or directory\n',
    );
  });

  it('export -o DIR refuses a directory without naming a temporary file, and leaves none', async () => {
    const dir = tmpdir();
    expect(await boxlab(root, ['export', '-o', dir, 'whiteouts'])).toEqual({ code: 1, stdout: '', stderr: 'Error: failed to export image: cannot write to a directory\n' });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(path.dirname(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  itWithTool(needTool('bash', 'apt-get install bash'), 'export IMG | head -c100 ends quietly with status 0', async () => {
    expect((await boxlab(root, ['load', '-i', ALPINE])).code).toBe(0);
    const cmd = `'${process.execPath}' --import tsx '${MAIN}' --root '${root}' export boxlab/alpine:3.20 2>"$ERR" | head -c100 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const errFile = path.join(tmpdir(), 'stderr');
    const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { ...childEnv(), ERR: errFile } });
    expect([r.stdout, fs.readFileSync(errFile, 'utf8')]).toEqual(['0\n', '']);
  });
});

describe('lookup', () => {
  let root = '';
  beforeAll(async () => {
    root = tmpdir('boxlab-cli-');
    expect((await boxlab(root, ['load', '-i', WHITEOUTS])).code).toBe(0);
  });

  it('shows a whiteout as what stops the walk, not as a hit, and flags it in the JSON', async () => {
    // whiteouts: L0 has /data/x, L1 deletes it (.wh.x)
    const text = (await boxlab(root, ['lookup', 'whiteouts', '/data/x'])).stdout;
    expect(text).toMatch(/^\/data\/x: not found, in nowhere\n/);
    expect(text).toMatch(/^ {2}whiteout L1: x \(deleted here: the walk stops\)$/m);
    expect(text).not.toMatch(/hit\s+L\d: x/);
    const json = JSON.parse((await boxlab(root, ['lookup', 'whiteouts', '/data/x', '--json'])).stdout);
    expect(json.probes.at(-1)).toEqual({ name: 'x', layer: 1, hit: true, whiteout: true });
    expect(json.probes.filter((p: { whiteout: boolean }) => p.whiteout)).toHaveLength(1);
  });

  it('names layers as the probes do (L0 at the bottom), not "layer 2 of 3"', async () => {
    const text = (await boxlab(root, ['lookup', 'whiteouts', '/app/sub/g'])).stdout;
    expect(text.split('\n')[0]).toMatch(/^\/app\/sub\/g: file \/app\/sub\/g, in L2 of L0\.\.L2 \(the top\), diffID [0-9a-f]{12}$/);
  });

  it('--dentry-cache looks the path up twice: the warm lookup hits the cache and probes nothing', async () => {
    const text = (await boxlab(root, ['lookup', 'whiteouts', '/app/sub/g', '--dentry-cache'])).stdout;
    expect(text).toMatch(/^strategy walk \+ dentry cache \(cold\): [1-9]\d* probes, 0 dentry hits/m);
    expect(text).toMatch(/^strategy walk \+ dentry cache \(again, warm\): 0 probes, 3 dentry hits/m);
    const json = JSON.parse((await boxlab(root, ['lookup', 'whiteouts', '/app/sub/g', '--dentry-cache', '--json'])).stdout);
    expect([json.dentryHits, json.warm.dentryHits, json.warm.probeCount]).toEqual([0, 3, 0]);
  });
});

/** A store on a 16 MB tmpfs: a load that copies more than it needs fails with ENOSPC instead of passing. */
function withSmallStore(fn: (mnt: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const mnt = tmpdir('boxlab-cli-tmpfs-');
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]).status).toBe(0);
    try {
      await fn(mnt);
    } finally {
      spawnSync('umount', [mnt]);
    }
  };
}

/** A sparse file: `size` bytes on disk only when someone copies it. */
function sparse(file: string, size: number): void {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
}

async function ociDir(archive: string): Promise<string> {
  const dir = tmpdir('boxlab-cli-layout-');
  for (const m of await readMembers(fs.readFileSync(archive))) {
    const p = path.join(dir, m.header.name);
    if (m.header.type === 'directory') fs.mkdirSync(p, { recursive: true });
    else fs.writeFileSync(p, m.data);
  }
  return dir;
}

describe('load -i DIR', () => {
  itWithTool(needRoot(), 'looks for the layout first: a directory that is not an image fails before anything is copied', withSmallStore(async (mnt) => {
    const dir = tmpdir('boxlab-cli-notimage-');
    sparse(path.join(dir, 'big.iso'), 64 << 20);
    const r = await boxlab(path.join(mnt, 'store'), ['load', '-i', dir]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error: invalid archive: no manifest.json (docker save format) or index.json (OCI image layout) found\n' });
  }));

  itWithTool(needRoot(), 'reads only the blobs the index names', withSmallStore(async (mnt) => {
    const dir = await ociDir(path.join(CORPUS, 'basic.oci.tar'));
    sparse(path.join(dir, 'blobs', 'sha256', 'f'.repeat(64)), 64 << 20);
    sparse(path.join(dir, 'notes.bin'), 64 << 20);
    expect(await boxlab(path.join(mnt, 'store'), ['load', '-i', dir])).toEqual({ code: 0, stdout: 'Loaded image: basic:latest\n', stderr: '' });
  }));

  itWithTool(needRoot(), 'refuses a directory that holds the store (it would read its own staging until the disk fills)', withSmallStore(async (mnt) => {
    fs.writeFileSync(path.join(mnt, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
    const r = await boxlab(path.join(mnt, 'store'), ['load', '-i', mnt], { timeout: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: refusing to load ${mnt}: the directory holds boxlab's store, which the load writes into\n`);
    expect(fs.readdirSync(path.join(mnt, 'store', 'tmp'))).toEqual([]);
  }));
});

describe('load staging', () => {
  it('Ctrl-C during a load removes its staging and exits 130', async () => {
    const root = tmpdir('boxlab-cli-');
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--root', root, 'load'], { env: childEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
    const alpine = fs.readFileSync(ALPINE);
    // half the archive, and then nothing: the load waits in the middle, its staging on disk
    child.stdin.write(alpine.subarray(0, alpine.length >> 1));
    const tmp = path.join(root, 'tmp');
    const staged = () => fs.existsSync(tmp) && fs.readdirSync(tmp, { recursive: true }).length > 1;
    for (let i = 0; i < 600 && !staged(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(staged()).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('staging left by a dead load is shown by system df, removed by the next load and counted by system prune', async () => {
    const root = tmpdir('boxlab-cli-');
    expect((await boxlab(root, ['load', '-i', WHITEOUTS])).code).toBe(0);
    // pid 2^22+1 is above Linux's pid_max limit: no process has it
    const stale = (n: number) => {
      const d = path.join(root, 'tmp', `load-4194305-${n}`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'blob-1'), Buffer.alloc(5000));
    };
    stale(1);
    expect((await boxlab(root, ['system', 'df'])).stdout).toMatch(/^Stale load staging\s+1\s+5kB\s/m);
    expect((await boxlab(root, ['system', 'prune', '-f'])).stdout).toBe('Total reclaimed space: 5kB\n');
    stale(2);
    expect((await boxlab(root, ['load', '-i', WHITEOUTS])).code).toBe(0);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });
});
