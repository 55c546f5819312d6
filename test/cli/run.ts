import { spawn } from 'node:child_process';
import * as path from 'node:path';

export const MAIN = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** tsx keeps its compile cache in TMPDIR: the outer one, warm across runs (see global-setup.ts). */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: process.env.BOXLAB_OUTER_TMPDIR ?? process.env.TMPDIR };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking the worker (vitest's RPC needs its event loop). */
function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeout?: number; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env, timeout: opts.timeout ?? 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {}); // a command that exits without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** `boxlab --root ROOT ARGS...` as a user types it, stdin from `input` (empty when not given: no terminal). */
export function boxlab(root: string, args: string[], opts: { input?: string | Buffer; timeout?: number } = {}): Promise<Run> {
  return run(process.execPath, ['--import', 'tsx', MAIN, '--root', root, ...args], { ...opts, env: childEnv() });
}

/**
 * The same under a pseudo-terminal (util-linux `script`): stdin and stdout are a terminal, as when a
 * person types the command; `input` is what they type. Returns what the terminal showed (CR LF
 * turned back into LF) and the exit status (`script -e`).
 */
export async function boxlabOnTerminal(root: string, args: string[], input = '', opts: { columns?: number } = {}): Promise<{ code: number | null; screen: string }> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, '--import', 'tsx', MAIN, '--root', root, ...args].map(quote).join(' ');
  const r = await run('script', ['-qefc', `stty cols ${opts.columns ?? 80} 2>/dev/null; ${cmd}`, '/dev/null'], { input, env: { ...childEnv(), TERM: 'dumb' } });
  return { code: r.code, screen: r.stdout.replace(/\r\n/g, '\n') };
}
