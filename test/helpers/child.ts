import { spawn, type ChildProcess } from 'node:child_process';

/** Starts a TypeScript file as a child Node process (through tsx), stdout piped, stderr inherited. */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
}

/** Resolves with the exit code (or the signal's name) once the child has ended. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
}

/** Resolves once the child has printed a line equal to `line` on stdout. */
export function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      if (buf.split('\n').includes(line)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', () => reject(new Error(`child exited before printing ${JSON.stringify(line)}: ${buf}`)));
  });
}
