/**
 * The terminal's line discipline (n_tty) as a container's process sees it, and busybox's shell on it:
 * the bytes a person at `docker run -it` sees (measured on the real engine: test/api/interactive.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/runtime/kernel.js';
import { busyboxPrograms } from '../../src/runtime/programs/index.js';
import { statusCode } from '../../src/runtime/program.js';
import { SIGINT } from '../../src/runtime/signals.js';
import { Tty } from '../../src/runtime/tty.js';
import { ASH_BANNER } from '../../src/runtime/shell/interactive.js';
import { vfsPort } from '../../src/runtime/fsport.js';
import { rootfs } from './harness.js';

function tty() {
  const out: string[] = [];
  const signals: number[] = [];
  const t = new Tty((d) => out.push(Buffer.from(d).toString('latin1')), (s) => signals.push(s));
  return { t, out: () => out.join(''), signals };
}

const text = (d: Uint8Array | null) => (d === null ? null : Buffer.from(d).toString('latin1'));

describe('the line discipline', () => {
  it('turns Enter into a newline (ICRNL), echoes the line with \\r\\n (ONLCR) and hands it over whole', async () => {
    const { t, out } = tty();
    t.input(Buffer.from('ab'));
    expect(t.pending()).toBe(0);
    t.input(Buffer.from('c\r'));
    expect(text(await t.reader.read(100))).toBe('abc\n');
    expect(out()).toBe('abc\r\n');
  });

  it('returns one line per read in canonical mode', async () => {
    const { t } = tty();
    t.input(Buffer.from('one\rtwo\r'));
    expect(text(await t.reader.read(100))).toBe('one\n');
    expect(text(await t.reader.read(100))).toBe('two\n');
  });

  it('rubs out with ^? (\\b \\b) and echoes control characters as ^X', async () => {
    const { t, out } = tty();
    t.input(Buffer.from('ax\x7f\x01b\r'));
    expect(text(await t.reader.read(100))).toBe('a\x01b\n');
    expect(out()).toBe('ax\b \b^Ab\r\n');
  });

  it('^D alone is end of file; after text it ends the line without a newline, unechoed', async () => {
    const { t, out } = tty();
    t.input(Buffer.from('ab\x04\x04'));
    expect(text(await t.reader.read(100))).toBe('ab');
    expect(await t.reader.read(100)).toBeNull();
    expect(out()).toBe('ab');
  });

  it('^C echoes ^C, drops the pending line and sends SIGINT to the foreground group', async () => {
    const { t, out, signals } = tty();
    t.input(Buffer.from('half\x03'));
    expect(signals).toEqual([SIGINT]);
    expect(out()).toBe('half^C');
    expect(t.pending()).toBe(0);
  });

  it('maps \\n to \\r\\n in what the process writes (ONLCR)', async () => {
    const { t, out } = tty();
    await t.writer.write(Buffer.from('a\nb\n'));
    expect(out()).toBe('a\r\nb\r\n');
  });

  it('in raw mode (what busybox lineedit sets) neither echoes nor signals, and reads byte by byte', async () => {
    const { t, out, signals } = tty();
    t.setMode({ icanon: false, echo: false, isig: false });
    t.input(Buffer.from('a\x03'));
    expect(text(await t.reader.read(1))).toBe('a');
    expect(text(await t.reader.read(1))).toBe('\x03');
    expect(out()).toBe('');
    expect(signals).toEqual([]);
  });

  it('keeps the window size the daemon sets', () => {
    const { t } = tty();
    t.resize(24, 80);
    expect(t.winsize()).toEqual({ rows: 24, cols: 80 });
  });
});

describe('busybox sh on a terminal', () => {
  async function session(keys: string[]) {
    const kernel = new Kernel({ programs: busyboxPrograms() });
    let pgid = 0;
    const ns = kernel.newPidNamespace();
    const out: string[] = [];
    const t = new Tty(
      (d) => out.push(Buffer.from(d).toString('latin1')),
      (sig) => {
        for (const p of ns.procs.values()) if (p.alive && p.pgid === pgid) p.deliver(sig, null);
      },
    );
    const proc = await kernel.start({
      ns,
      applet: 'sh',
      argv: ['sh'],
      env: new Map([['PATH', '/bin'], ['HOME', '/root']]),
      cwd: '/',
      cred: { uid: 0, gid: 0, groups: [] },
      fs: vfsPort(rootfs()),
      uts: { hostname: 'boxlab' },
      stdin: t.reader,
      stdout: t.writer,
      stderr: t.writer,
    });
    pgid = proc.pgid;
    const settle = () => new Promise((r) => setTimeout(r, 30));
    for (const k of keys) {
      await settle();
      t.input(Buffer.from(k, 'latin1'));
    }
    const status = statusCode(await proc.exited);
    return { output: out.join(''), status };
  }

  it('prints the banner and the prompt with the cursor query, runs a command, and `exit 3` gives 3', async () => {
    expect(await session(['echo hi\r', 'exit 3\r'])).toEqual({
      output: `${ASH_BANNER.replace(/\n/g, '\r\n')}/ # \x1b[6necho hi\r\nhi\r\n/ # \x1b[6nexit 3\r\n`,
      status: 3,
    });
  });

  it('^C at the prompt abandons the line (status 130); ^D ends the shell', async () => {
    const r = await session(['ech', '\x03', '\x04']);
    expect(r.output.endsWith('/ # \x1b[6nech^C\r\n/ # \x1b[6n\r\n')).toBe(true);
    expect(r.status).toBe(130);
  });

  it('^C kills the foreground command, the shell goes on with a new prompt', async () => {
    const r = await session(['sleep 5; echo never\r', '\x03', 'echo $?\r', 'exit\r']);
    expect(r.output).toContain('sleep 5; echo never\r\n^C\r\n/ # \x1b[6necho $?\r\n130\r\n/ # ');
    expect(r.output).not.toContain('never\r\nnever');
    expect(r.status).toBe(0);
  });

  it('swallows the terminal\'s answer to the cursor query and arrow keys', async () => {
    const r = await session(['\x1b[24;5R', 'echo a\x1b[A\r', 'exit\r']);
    expect(r.output).toContain('/ # \x1b[6necho a\r\na\r\n');
  });
});

describe('stty size', () => {
  async function run(stdin: Tty | null) {
    const kernel = new Kernel({ programs: busyboxPrograms() });
    const out: string[] = [];
    const sink = { kind: 'pipe' as const, write: async (d: Uint8Array) => void out.push(Buffer.from(d).toString()), close: () => {} };
    const proc = await kernel.start({
      ns: kernel.newPidNamespace(),
      applet: 'stty',
      argv: ['stty', 'size'],
      env: new Map(),
      cwd: '/',
      cred: { uid: 0, gid: 0, groups: [] },
      fs: vfsPort(rootfs()),
      uts: { hostname: 'boxlab' },
      stdin: stdin ? stdin.reader : (await import('../../src/runtime/stream.js')).nullSource,
      stdout: sink,
      stderr: sink,
    });
    return { out: out.join(''), status: statusCode(await proc.exited), text: () => out.join('') };
  }

  it('prints the window size the daemon set, and what busybox says without one', async () => {
    const t = new Tty(() => {}, () => {});
    const unset = await run(t);
    expect([unset.text(), unset.status]).toEqual(['stty: standard input\n', 0]);
    t.resize(24, 80);
    const set = await run(t);
    expect([set.text(), set.status]).toEqual(['24 80\n', 0]);
    const none = await run(null);
    expect([none.text(), none.status]).toEqual(['stty: standard input: Inappropriate ioctl for device\n', 1]);
  });
});
