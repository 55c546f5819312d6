/**
 * A container's upper layer through `boxlab daemon` restarts (the process, killed with SIGKILL at
 * random moments): what the real docker CLI sees after the restart (diff, export, start and read,
 * commit) is the upper before or after each syscall a `docker exec` made, never between; a commit
 * killed midway leaves the image there whole or not at all; running containers come back as the
 * engine here brings them back (exited 137; `always` runs again).
 */
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { describeWithTool, itWithTool } from '../support/tools.js';
import { needTool } from '../support/requirements.js';
import { cleanupBoxes, docker as dockerIn, newBox, ok as okIn, startDaemon, stopDaemon, type Box } from './daemon-box.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const DOCKER = needTool('docker', 'apt-get install docker.io (the CLI is the client under test)');

afterEach(cleanupBoxes);

/** Every call reads docker's output as latin1: `docker export` is a tar, kept byte for byte. */
const docker = (box: Box, args: string[]) => dockerIn(box, args, { latin1: true });
const ok = (box: Box, args: string[]) => okIn(box, args, { latin1: true });
const kill9 = (box: Box) => stopDaemon(box, 'SIGKILL');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `docker export` as "type mode uid/gid size mtime name" lines, sorted: what a tar listing shows. */
async function exportListing(box: Box, c: string): Promise<string[]> {
  const tar = await ok(box, ['export', c]);
  const { extract } = await import('tar-stream');
  const ex = extract();
  const lines: string[] = [];
  ex.on('entry', (h, s, next) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: unknown) => void chunks.push(d as Buffer));
    s.on('end', () => {
      lines.push(`${h.type} ${(h.mode ?? 0).toString(8)} ${h.uid}/${h.gid} ${h.size} ${h.mtime?.getTime()} ${h.name} ${h.linkname ?? ''} ${Buffer.concat(chunks).toString('hex').slice(0, 64)}`);
      next();
    });
  });
  const done = new Promise<void>((r) => ex.on('finish', () => r()));
  ex.end(Buffer.from(tar, 'latin1'));
  await done;
  return lines.sort();
}

describeWithTool(DOCKER, 'a container’s upper layer across daemon restarts', () => {
  itWithTool(DOCKER, 'shows the same diff, export and files after a kill -9, and running containers come back as Docker brings them', async () => {
    const box = newBox('bx-persist-');
    await startDaemon(box);
    await ok(box, ['load', '-i', ARCHIVE]);
    await ok(box, ['run', '-d', '--name', 'c1', 'dk-build', 'sh', '-c', 'sleep 3600']);
    await ok(box, ['run', '-d', '--name', 'c2', '--restart', 'always', 'dk-build', 'sh', '-c', 'sleep 3600']);
    await ok(box, ['run', '-d', '--name', 'c3', '--restart', 'unless-stopped', 'dk-build', 'sh', '-c', 'sleep 3600']);
    const script = [
      'echo hello > /etc/motd', 'mkdir -p /a/b', 'echo x > /a/b/f', 'chmod 600 /a/b/f', 'chown 7:8 /a/b/f', 'touch -d 2001-01-01 /a/b/f',
      'ln -s /a/b/f /lnk', 'ln /a/b/f /a/hard', 'rm -f /etc/os-release', 'rm -rf /data', 'mkdir /data', 'echo new > /data/n',
      'mv /a/b /a/c', 'echo more >> /etc/motd',
    ].join('; ');
    await ok(box, ['exec', 'c1', 'sh', '-c', script]);
    const diff = (await ok(box, ['diff', 'c1'])).split('\n').filter(Boolean).sort();
    const listing = await exportListing(box, 'c1');
    expect(diff).toEqual(expect.arrayContaining(['C /etc/motd', 'D /etc/os-release', 'A /a/c/f', 'C /data', 'A /data/n', 'A /lnk']));

    await kill9(box);
    await startDaemon(box);
    expect((await ok(box, ['diff', 'c1'])).split('\n').filter(Boolean).sort()).toEqual(diff);
    expect(await exportListing(box, 'c1')).toEqual(listing);
    const state = async (c: string) => (await ok(box, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}', c])).trim();
    expect(await state('c1')).toBe('exited 137 0');
    expect(await state('c2')).toBe('running 0 0');
    expect(await state('c3')).toBe('exited 137 0');
    await ok(box, ['start', 'c1']);
    expect(await ok(box, ['exec', 'c1', 'sh', '-c', 'cat /etc/motd /a/hard; ls -ln /a/c/f'])).toMatch(/^hello\nmore\nx\n-rw------- +2 7 +8 +2 Jan {2}1 +2001 \/a\/c\/f\n$/);
    // commit sees the same upper: the new image's layer holds what the container wrote
    await ok(box, ['commit', 'c1', 'made:1']);
    const fromImage = await ok(box, ['run', '--rm', 'made:1', 'sh', '-c', 'cat /data/n; ls /etc/os-release 2>&1; true']);
    expect(fromImage).toMatch(/^new\n.*No such file or directory\n$/);
  }, 240_000);

  itWithTool(DOCKER, 'leaves every file of a `docker exec` loop written or not (never half) when the daemon is killed at random moments', async () => {
    const box = newBox('bx-persist-');
    await startDaemon(box);
    await ok(box, ['load', '-i', ARCHIVE]);
    await ok(box, ['run', '-d', '--name', 'wr', 'dk-build', 'sh', '-c', 'sleep 3600']);
    let lastSeen = 0;
    for (let round = 0; round < 4; round++) {
      const base = round * 1000;
      const loop = docker(box, ['exec', 'wr', 'sh', '-c', `i=${base + 1}; while [ $i -le ${base + 400} ]; do echo $i > /f$i; i=$((i+1)); done`]);
      await sleep(300 + Math.random() * 1500);
      await kill9(box);
      await loop;
      await startDaemon(box);
      const names = (await ok(box, ['diff', 'wr'])).split('\n').filter((l) => /^A \/f\d+$/.test(l)).map((l) => Number(l.slice(4)));
      const mine = names.filter((n) => n > base).sort((a, b) => a - b);
      // a prefix of the loop's files; each whole ("N\n") except perhaps the last, created and not yet written
      expect(mine).toEqual(Array.from({ length: mine.length }, (_, i) => base + 1 + i));
      await ok(box, ['start', 'wr']);
      const contents = mine.length ? await ok(box, ['exec', 'wr', 'sh', '-c', mine.map((n) => `echo "$(cat /f${n})"`).join('; ')]) : '';
      const got = contents.split('\n').slice(0, -1);
      mine.forEach((n, i) => {
        if (i < mine.length - 1) expect(got[i]).toBe(String(n));
        else expect(['', String(n)]).toContain(got[i]);
      });
      expect(names.filter((n) => n <= base).length).toBe(lastSeen); // earlier rounds' files stay
      lastSeen = names.length;
    }
    expect(lastSeen).toBeGreaterThan(0);
  }, 400_000);

  itWithTool(DOCKER, 'keeps the image of a `docker commit` whole or not at all when the daemon is killed during it, and the container’s diff as it was', async () => {
    const box = newBox('bx-persist-');
    await startDaemon(box);
    await ok(box, ['load', '-i', ARCHIVE]);
    await ok(box, ['run', '-d', '--name', 'km', 'dk-build', 'sh', '-c', 'sleep 3600']);
    await ok(box, ['exec', 'km', 'sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo $i > /g$i; i=$((i+1)); done; rm -rf /data']);
    const diff = (await ok(box, ['diff', 'km'])).split('\n').filter(Boolean).sort();
    // how long one commit takes here, so that the kills land before, inside and after it
    const t0 = Date.now();
    await ok(box, ['commit', 'km', 'snap:whole']);
    const took = Date.now() - t0;
    const outcomes = { made: 0, not: 0 };
    for (let round = 0; round < 6; round++) {
      const commit = docker(box, ['commit', 'km', `snap:${round}`]);
      await sleep(Math.random() * took * 1.3);
      await kill9(box);
      await commit;
      await startDaemon(box);
      expect((await ok(box, ['diff', 'km'])).split('\n').filter(Boolean).sort()).toEqual(diff);
      const has = (await ok(box, ['images', '-q', `snap:${round}`])).trim() !== '';
      outcomes[has ? 'made' : 'not']++;
      if (has) {
        const n = await ok(box, ['run', '--rm', `snap:${round}`, 'sh', '-c', 'ls / | grep -c "^g"; ls /data 2>&1; true']);
        expect(n).toMatch(/^300\n.*No such file or directory\n$/);
      }
    }
    console.log(`commit under kill -9: ${JSON.stringify(outcomes)}`);
  }, 400_000);
});
