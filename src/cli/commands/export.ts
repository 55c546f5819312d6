import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { atomicOutput } from '../output.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .argument('<image>', 'the image whose merged filesystem to write')
    .description("Export an image's merged filesystem as one tar archive (no whiteouts)")
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .action(async (image: string, opts: { output?: string }) => {
      const engine = await ctx.engine();
      await engine.images.resolve(image);
      if (!opts.output && ctx.out.isTTY)
        throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      await atomicOutput(opts.output, ctx.out, 'export image', (out) => engine.images.export(image, out));
    });
}
