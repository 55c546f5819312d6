import type { Command } from 'commander';
import { isCode } from '../../errors.js';
import type { CliContext } from '../context.js';

export function register(parent: Command, ctx: CliContext, name = 'inspect'): void {
  parent
    .command(name)
    .argument('<image...>', 'images to inspect: name[:tag], ID or ID prefix')
    .description('Docker-shaped JSON for images: Id, RepoTags, RootFS.Layers, Config ...')
    .action(async (images: string[]) => {
      const engine = await ctx.engine();
      const out: unknown[] = [];
      let missing: unknown;
      for (const ref of images) {
        try {
          out.push(await engine.inspect(ref));
        } catch (err) {
          if (!isCode(err, 'NotFound')) throw err;
          missing ??= err;
        }
      }
      ctx.out.write(JSON.stringify(out, null, 4) + '\n');
      if (missing) throw missing;
    });
}
