import type { Command } from 'commander';
import { normalizeTag } from '../../oci/reference.js';
import type { CliContext } from '../context.js';

export function register(parent: Command, ctx: CliContext, name = 'tag'): void {
  parent
    .command(name)
    .argument('<source>', 'the image to tag: name[:tag], ID or ID prefix')
    .argument('<target>', 'the new name[:tag] (the tag defaults to latest)')
    .description('Create a tag TARGET that refers to SOURCE')
    .action(async (source: string, target: string) => {
      const engine = await ctx.engine();
      const tag = normalizeTag(target);
      // TODO(lead): move into the engine's image service when engine.ts is split; the store's
      // lock keeps it atomic against a concurrent load or rmi, as the engine's own methods do
      await engine.store.locked(async () => {
        const id = await engine.resolve(source);
        const tags = await engine.store.tags();
        tags[tag] = id;
        await engine.store.writeTags(tags);
      });
    });
}
