import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(parent: Command, ctx: CliContext, name = 'tag'): void {
  parent
    .command(name)
    .argument('<source>', 'the image to tag: name[:tag], ID or ID prefix')
    .argument('<target>', 'the new name[:tag] (the tag defaults to latest)')
    .description('Create a tag TARGET that refers to SOURCE')
    .action(async (source: string, target: string) => {
      // the image service moves the tag under the store's lock, as docker tag does
      await (await ctx.engine()).images.tag(source, target);
    });
}
