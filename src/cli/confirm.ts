import type { CliContext } from './context.js';

/**
 * docker/cli's PromptForConfirmation: the question on stdout, one line read from stdin, "y" or "yes"
 * (any case) goes on. Docker reads stdin whether or not it is a terminal; an empty stdin (no
 * terminal, `</dev/null`, CI) is a "no", so nothing is removed without -f.
 */
export async function confirm(ctx: CliContext, message: string): Promise<boolean> {
  ctx.out.write(`${message}\nAre you sure you want to continue? [y/N] `);
  const answer = await readLine(ctx.in);
  return /^y(es)?$/i.test(answer.trim());
}

function readLine(input: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const done = () => {
      input.off('data', onData).off('end', done).off('error', done);
      input.pause();
      resolve(got.split('\n')[0] ?? '');
    };
    const onData = (chunk: Buffer | string) => {
      got += chunk.toString();
      if (got.includes('\n')) done();
    };
    input.on('data', onData).once('end', done).once('error', done);
    input.resume();
  });
}
