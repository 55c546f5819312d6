/**
 * The process model's rules: PID namespaces, the kernel's PID 1 rule, signal dispositions, pipes
 * that stream with a bounded buffer and SIGPIPE, the two clocks, and a container's `sh -c` as PID 1.
 * Time is the virtual clock's, so a `sleep 3600` costs nothing and ends when the test says.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { Kernel } from '../../src/runtime/kernel.js';
import { busyboxPrograms } from '../../src/runtime/programs/index.js';
import { PIPE_CAPACITY, statusCode, type Program } from '../../src/runtime/program.js';
import { Pipe } from '../../src/runtime/stream.js';
import { SIGKILL, SIGTERM, SIGUSR1, parseSignal, signalName } from '../../src/runtime/signals.js';
import { rootfs, start } from './harness.js';
import { ASH_BANNER } from '../../src/runtime/shell/interactive.js';

function kernelWith(extra: Record<string, Program> = {}) {
  const clock = new VirtualClock();
  const programs = busyboxPrograms();
  for (const [k, v] of Object.entries(extra)) programs.set(k, v);
  return { clock, kernel: new Kernel({ programs, clock }) };
}

describe('signals', () => {
  it('uses the Linux numbers and names', () => {
    expect([parseSignal('TERM'), parseSignal('SIGKILL'), parseSignal('usr1'), parseSignal('2')]).toEqual([15, 9, 10, 2]);
    expect([signalName(13), signalName(17), signalName(19)]).toEqual(['PIPE', 'CHLD', 'STOP']);
    expect(parseSignal('NOPE')).toBeUndefined();
  });
});

describe('a container whose PID 1 is sh -c', () => {
  it("runs `sh -c 'sleep 3600'` as sleep in PID 1, with a host pid outside", async () => {
    const { clock, kernel } = kernelWith();
    await start(['sh', '-c', 'sleep 3600'], { kernel, clock });
    const s = await start(['sh', '-c', 'sleep 3600'], { kernel, clock });
    await settle();
    expect(s.proc.pidIn(s.proc.ns)).toBe(1);
    expect(s.proc.hostPid).toBe(2);
    expect(kernel.hostNs.procs.get(2)).toBe(s.proc);
    expect(s.proc.argv).toEqual(['sleep', '3600']);
    expect(clock.pending).toBe(2); // a timer each, not a loop
  });

  it('ignores SIGTERM from the host (no handler in PID 1) and dies of SIGKILL with 137', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 3600'], { kernel, clock });
    await settle();
    kernel.kill(s.proc.hostPid, SIGTERM);
    await clock.advance(10_000);
    expect(s.proc.alive).toBe(true);
    kernel.kill(s.proc.hostPid, SIGKILL);
    expect((await s.done).status).toBe(137);
  });

  it('ends by its own sleep when nothing stops it', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 3600; echo woke'], { kernel, clock });
    await clock.advance(3_599_000);
    expect(s.proc.alive).toBe(true);
    await clock.advance(1_000);
    expect(await s.done).toEqual({ stdout: 'woke\n', stderr: '', status: 0 });
  });

  it('lets a trap choose the exit status, and the trap waits for a foreground sleep', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', "trap 'echo bye; exit 3' TERM; sleep 60; echo after"], { kernel, clock });
    await settle();
    kernel.kill(s.proc.hostPid, SIGTERM);
    await clock.advance(59_000);
    expect(s.proc.alive).toBe(true);
    await clock.advance(1_000);
    expect(await s.done).toEqual({ stdout: 'bye\n', stderr: '', status: 3 });
  });

  it('runs the trap at once when the shell is in `wait`', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', "trap 'echo bye; exit 3' TERM; sleep 3600 & wait"], { kernel, clock });
    await settle();
    kernel.kill(s.proc.hostPid, SIGTERM);
    await clock.advance(1);
    expect(await s.done).toEqual({ stdout: 'bye\n', stderr: '', status: 3 });
  });

  it('does not let SIGKILL from inside the namespace kill its init', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 3600 & (kill -9 1; echo sent $?) ; kill $!; wait; echo alive'], { kernel, clock });
    await clock.advance(1);
    expect(await s.done).toEqual({ stdout: 'sent 0\nalive\n', stderr: '', status: 0 });
  });

  it('kills every process of the namespace when PID 1 dies', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 3600 & sleep 3600 & sleep 10'], { kernel, clock });
    await settle();
    expect(s.proc.ns.procs.size).toBe(3);
    await clock.advance(10_000);
    await s.done;
    await settle();
    expect([...s.proc.ns.procs.values()].filter((p) => p.alive)).toEqual([]);
  });

  it('shows the shell, a background job and ps itself in ps, with container pids (ps, a NOEXEC applet, keeps the shell\'s command line)', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 100 & ps; kill $!'], { kernel, clock });
    await clock.advance(1);
    const out = (await s.done).stdout;
    expect(out).toBe('PID   USER     COMMAND\n    1 root     sh -c sleep 100 & ps; kill $!\n    2 root     sleep 100\n    3 root     {ps} sh -c sleep 100 & ps; kill $!\n');
  });
});

describe('signal dispositions', () => {
  it('a default SIGUSR1 kills an ordinary process with 128+10; an ignored one does not', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', "sleep 5 & p=$!; kill -USR1 $p; wait $p; echo $?; trap '' USR1; sh -c 'kill -USR1 $$; echo survived'"], { kernel, clock });
    await clock.advance(1);
    expect(await s.done).toEqual({ stdout: '138\nsurvived\n', stderr: 'User defined signal 1\n', status: 0 });
    void SIGUSR1;
  });

  it('stops and continues a process with SIGSTOP and SIGCONT', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'sleep 1 & p=$!; kill -STOP $p; ps; kill -CONT $p; wait $p; echo $?'], { kernel, clock });
    await clock.advance(5_000);
    const r = await s.done;
    expect(r.stdout).toContain('    2 root     sleep 1\n');
    expect(r.stdout.endsWith('0\n')).toBe(true);
  });
});

describe('pipes', () => {
  it('holds at most 64 KiB: a writer waits for the reader', async () => {
    const p = new Pipe();
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 4; i++) {
        await p.writer.write(new Uint8Array(PIPE_CAPACITY / 2));
        written += PIPE_CAPACITY / 2;
      }
    })();
    await settle();
    expect(written).toBe(PIPE_CAPACITY);
    expect(p.buffered).toBe(PIPE_CAPACITY);
    await p.reader.read(PIPE_CAPACITY);
    await writing;
    expect(written).toBe(2 * PIPE_CAPACITY);
  });

  it('gives end of file only when every writer has closed', async () => {
    const p = new Pipe();
    await p.writer.write(Buffer.from('x'));
    p.writer.close();
    expect(Buffer.from((await p.reader.read(10))!).toString()).toBe('x');
    expect(await p.reader.read(10)).toBeNull();
  });

  it('streams: the reader sees lines before the writer ends', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'while :; do echo tick; sleep 1; done | head -n 2; echo done'], { kernel, clock });
    await clock.advance(5_000);
    expect(await s.done).toEqual({ stdout: 'tick\ntick\ndone\n', stderr: '', status: 0 });
  });

  it('kills a writer with SIGPIPE when the reader is gone (status 141 for the pipeline stage)', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-c', 'yes | head -n 1; sh -c "yes; echo never" | true; echo $?'], { kernel, clock });
    await clock.advance(1);
    expect(await s.done).toEqual({ stdout: 'y\n0\n', stderr: '', status: 0 });
  });

  it('lets a process that ignores SIGPIPE see EPIPE instead', async () => {
    const seen: string[] = [];
    const writer: Program = async (p) => {
      p.sys.setDisposition(13, 'ignore');
      try {
        for (;;) await p.stdout.write('x'.repeat(1000));
      } catch (e) {
        seen.push((e as { errno?: string }).errno ?? String(e));
        return 7;
      }
    };
    const { clock, kernel } = kernelWith({ writer });
    const s = await start(['sh', '-c', 'writer | head -c 1 >/dev/null; echo done'], { kernel, clock, vfs: rootfs() });
    await clock.advance(1);
    expect((await s.done).stdout).toBe('done\n');
    expect(seen).toEqual(['EPIPE']);
  });
});

describe('clocks', () => {
  it('the virtual clock fires timers in order and only when advanced', async () => {
    const c = new VirtualClock(0);
    const fired: number[] = [];
    c.setTimer(30, () => fired.push(30));
    c.setTimer(10, () => fired.push(10));
    await c.advance(20);
    expect(fired).toEqual([10]);
    expect(c.now()).toBe(20);
    await c.advance(20);
    expect(fired).toEqual([10, 30]);
  });

  it('a signal interrupts a sleeping `wait` but a sleep on the real clock is a timer', async () => {
    const kernel = new Kernel({ programs: busyboxPrograms() });
    const s = await start(['sh', '-c', 'sleep 3600 & sleep 0.05; kill $!; wait $!; echo $?'], { kernel });
    const t0 = Date.now();
    expect((await s.done).stdout).toBe('143\n');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(statusCode({ signal: 15 })).toBe(143);
  });
});

describe('the interactive shell', () => {
  // bytes of Debian's busybox 1.35 here: printf '...' | busybox sh -i
  it('prompts after the banner, runs a line, and ends with exit 3', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-i'], { kernel, clock, stdin: 'echo hi\nif true\nthen echo multi; fi\nnosuch\nexit 3\necho never\n' });
    await clock.advance(1);
    expect(await s.done).toEqual({
      stdout: `${ASH_BANNER}/ # hi\n/ # > multi\n/ # / # `,
      stderr: "sh: can't access tty; job control turned off\nsh: nosuch: not found\n",
      status: 3,
    });
  });

  it('at the end of its input says a newline and exits with the last status', async () => {
    const { clock, kernel } = kernelWith();
    const s = await start(['sh', '-i'], { kernel, clock, stdin: 'false\n' });
    await clock.advance(1);
    expect(await s.done).toEqual({ stdout: `${ASH_BANNER}/ # / # `, stderr: "sh: can't access tty; job control turned off\n\n", status: 1 });
  });
});
