import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { removedLines } from '../../docker-words.js';

export function register(parent: Command, ctx: CliContext, name = 'rmi'): void {
  parent
    .command(name)
    .argument('<image...>', 'images to remove: name[:tag], ID or ID prefix')
    .description('Remove images: untag, and collect blobs and layers no longer referenced')
    .option('-f, --force', 'remove the image even if it has several tags')
    .action(async (images: string[], opts: { force?: boolean }) => {
      const engine = await ctx.engine();
      let failed: unknown;
      for (const ref of images) {
        try {
          ctx.out.write(removedLines(await engine.images.remove(ref, opts)).join('\n') + '\n');
        } catch (err) {
          ctx.err.write(`Error: ${(err as Error).message}\n`);
          failed = err;
        }
      }
      if (failed) process.exitCode = 1;
    });
}
