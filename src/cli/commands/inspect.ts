import type { Command } from 'commander';
import { isCode } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('inspect')
    .argument('<image...>')
    .description('Docker-shaped JSON for images: Id, RepoTags, RootFS.Layers, Config ...')
    .action(async (images: string[]) => {
      const engine = await ctx.engine();
      const out: unknown[] = [];
      let missing: unknown;
      for (const ref of images) {
        try {
          out.push(await engine.images.inspect(ref));
        } catch (err) {
          if (!isCode(err, 'NotFound')) throw err;
          missing ??= err;
        }
      }
      ctx.out.write(JSON.stringify(out, null, 4) + '\n');
      if (missing) throw missing;
    });
}
