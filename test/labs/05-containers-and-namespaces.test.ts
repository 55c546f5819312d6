import { describe, expect, it } from 'vitest';
import { run } from '../../labs/05-containers-and-namespaces.js';

describe('lab 05: containers and namespaces', () => {
  it('shows sleep as PID 1 ignoring SIGTERM until stop kills it (137), a trap exiting 0 at once, and two isolated containers', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/plain: sh -c 'sleep 3600'\n\s+PID\s+COMMAND\n\s+1 sleep\n/);
    expect(plain).toMatch(/trapped: .*\n\s+PID\s+COMMAND\n\s+1 sh\n\s+2 sleep\n/);
    expect(plain).toContain('docker kill -s TERM plain  ->  still running: true');
    const plain137 = /docker stop -t 2 plain\s+->\s+took (\d+\.\d) s, exit code 137/.exec(plain);
    expect(Number(plain137?.[1])).toBeGreaterThanOrEqual(2);
    const trapped = /docker stop -t 2 trapped\s+->\s+took (\d+\.\d) s, exit code 0/.exec(plain);
    expect(Number(trapped?.[1])).toBeLessThan(2);
    expect(plain).toMatch(/left:\n\s+hostname: [0-9a-f]{12}\n\s+written by left\n/);
    expect(plain).toMatch(/right:\n\s+hostname: [0-9a-f]{12}\n\s+cat: can't open '\/tmp\/mine': No such file or directory\n/);
    expect(plain).toMatch(/docker top left \(host PIDs\): \d+ sleep 3600/);
  }, 30_000);
});
