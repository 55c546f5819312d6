/**
 * A command run through a real pseudo-terminal (test/helpers/pty-drive.py, python3's pty module), as a
 * person at a terminal runs `docker run -it`: the docker CLI sees a terminal, puts it in raw mode
 * and sends keys as typed. Each step types bytes and waits until the output has been quiet for a
 * while (the prompt came back).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface PtyResult {
  /** Every byte the terminal received, as latin1 text. */
  output: string;
  status: number;
}

export function runInPty(argv: readonly string[], steps: readonly (readonly [string, number])[], env: NodeJS.ProcessEnv): Promise<PtyResult> {
  const script = join(import.meta.dirname, 'pty-drive.py');
  return new Promise((resolve, reject) => {
    execFile('python3', [script, JSON.stringify(steps), ...argv], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pty-drive.py: ${err.message} ${stderr}`));
      resolve(JSON.parse(stdout) as PtyResult);
    });
  });
}
