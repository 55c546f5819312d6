/**
 * Interactive sessions through the daemon, against the real engine: `docker run -it IMG sh` and
 * `docker exec -it C sh` driven through a real pseudo-terminal (the docker CLI in raw mode, keys
 * typed), and `-i` without a terminal (stdin piped through the hijacked connection). The bytes the
 * terminal receives and the CLI's exit status must be the real engine's: the banner Debian's busybox
 * prints, the prompt `/ # ` and lineedit's cursor query, the echo, \r\n from the terminal's ONLCR,
 * ^C and ^D, and `exit 3` giving status 3.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { dockerd, dockerHost, docker } from '../oracle/docker.js';
import { runInPty } from '../helpers/pty.js';
import { describeWithTool, needTool } from '../support/tools.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const RUN = ['run', '--rm', '--pull', 'never', '--network', 'none'];

function envFor(host: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: host, DOCKER_CLI_HINTS: 'false' };
}

function dockerAt(host: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile('docker', args, { env: envFor(host), encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? Number(err.code ?? -1) : 0 });
    });
    child.stdin?.end(input ?? '');
  });
}

describeWithTool([dockerd(), needTool('python3', 'apt-get install python3')], 'interactive sessions: boxlab daemon as dockerd', () => {
  let dir: string;
  let daemon: Daemon;
  let box: string;
  let real: string;
  const name = `bx-interactive-${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bx-it-'));
    box = `unix://${join(dir, 'docker.sock')}`;
    real = dockerHost();
    const engine = await Engine.open({ root: join(dir, 'root') });
    await engine.images.load(ARCHIVE);
    daemon = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: join(dir, 'docker.sock') }], log: () => {} });
    await docker(['load', '-q', '-i', ARCHIVE]);
    for (const h of [box, real]) expect((await dockerAt(h, ['run', '-d', '--name', name, '--pull', 'never', '--network', 'none', 'dk-build', 'sh', '-c', 'sleep 3600'])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await dockerAt(real, ['rm', '-f', name]);
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The same keys typed on both sides; returns both sessions. */
  async function both(args: string[], steps: [string, number][]) {
    const [b, d] = await Promise.all([runInPty(['docker', ...args], steps, envFor(box)), runInPty(['docker', ...args], steps, envFor(real))]);
    return { boxlab: b, docker: d };
  }

  it('docker run -it IMG sh: the prompt, a command and its output, `exit 3` gives status 3', { timeout: 60_000 }, async () => {
    const r = await both([...RUN, '-it', 'dk-build', 'sh'], [['echo hi\r', 400], ['exit 3\r', 400]]);
    expect(r.boxlab.output).toContain('/ # \x1b[6necho hi\r\nhi\r\n/ # \x1b[6nexit 3\r\n');
    expect(r.boxlab.status).toBe(3);
    expect(r.boxlab).toEqual(r.docker);
  });

  it('docker run -it: ^C interrupts the foreground command (130), ^D at the prompt ends the shell', { timeout: 60_000 }, async () => {
    const r = await both([...RUN, '-it', 'dk-build', 'sh'], [['sleep 5\r', 400], ['\x03', 400], ['echo $?\r', 400], ['\x03', 400], ['\x04', 400]]);
    expect(r.boxlab.output).toContain('sleep 5\r\n^C\r\n/ # \x1b[6necho $?\r\n130\r\n/ # \x1b[6n^C\r\n');
    expect(r.boxlab.status).toBe(130);
    expect(r.boxlab).toEqual(r.docker);
  });

  it('docker run -it IMG cat: the terminal echoes the line, cat writes it back, ^D is end of file', { timeout: 60_000 }, async () => {
    // `echo ready` first: the driver types once the container has written something
    const r = await both([...RUN, '-it', 'dk-build', 'sh', '-c', 'echo ready; cat'], [['hi\r', 400], ['\x04', 400]]);
    expect(r.boxlab).toEqual({ output: 'ready\r\nhi\r\nhi\r\n', status: 0 });
    expect(r.boxlab).toEqual(r.docker);
  });

  it('the window size of the client\'s terminal reaches the container (/resize): stty size', { timeout: 60_000 }, async () => {
    // measured on the engine here in a 24x80 terminal: `24 80` (the prompt may be redrawn before it,
    // when the resize comes after the first prompt: busybox's SIGWINCH redraw, not modelled)
    const env = { ...envFor(box), PTY_WINSIZE: '24x80' };
    const r = await runInPty(['docker', ...RUN, '-it', 'dk-build', 'sh'], [['stty size\r', 400], ['exit\r', 400]], env);
    expect(r.output).toContain('stty size\r\n24 80\r\n');
  });

  it('docker exec -it C sh: a shell in the running container, `exit 3` gives status 3', { timeout: 60_000 }, async () => {
    const r = await both(['exec', '-it', name, 'sh'], [['echo $0 $((6*7))\r', 400], ['exit 3\r', 400]]);
    expect(r.boxlab.output).toContain('/ # \x1b[6necho $0 $((6*7))\r\nsh 42\r\n/ # \x1b[6nexit 3\r\n');
    expect(r.boxlab.status).toBe(3);
    expect(r.boxlab).toEqual(r.docker);
  });

  it('-i without a terminal: stdin is piped to the process, its end is end of file', { timeout: 60_000 }, async () => {
    const cases: [string[], string][] = [
      [[...RUN, '-i', 'dk-build', 'cat'], 'hi\nthere\n'],
      [[...RUN, '-i', 'dk-build', 'sh'], 'echo hi; echo err >&2; exit 4\n'],
      [[...RUN, '-i', 'dk-build', 'sh', '-i'], 'echo hi\n'],
      [['exec', '-i', name, 'cat'], 'from exec\n'],
      [['exec', '-i', name, 'wc', '-c'], 'abc'],
    ];
    for (const [args, input] of cases) {
      const [b, d] = await Promise.all([dockerAt(box, args, input), dockerAt(real, args, input)]);
      expect(b, args.join(' ')).toEqual(d);
    }
  });
});
