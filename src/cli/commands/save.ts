import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { atomicOutput } from '../output.js';

export function register(parent: Command, ctx: CliContext, name = 'save'): void {
  parent
    .command(name)
    .argument('<image...>', 'images to save: name[:tag], ID or ID prefix')
    .description('Save images to a tar archive: docker save format (default) or an OCI image layout')
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .option('--format <format>', 'docker or oci', 'docker')
    .action(async (images: string[], opts: { output?: string; format: string }) => {
      if (opts.format !== 'docker' && opts.format !== 'oci') throw new Error(`unknown format ${JSON.stringify(opts.format)}: use docker or oci`);
      const engine = await ctx.engine();
      for (const i of images) await engine.images.resolve(i);
      if (!opts.output && ctx.out.isTTY)
        throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      // progress only when the archive goes to a file and we are on a terminal, as for load
      const { layerProgress } = await import('../progress.js');
      const progress = layerProgress(opts.output ? ctx.out : ({ isTTY: false } as NodeJS.WriteStream), 'Saving layer');
      await atomicOutput(opts.output, ctx.out, 'save image', (out) =>
        engine.images.save(images, opts.format as 'docker' | 'oci', out, (p) => progress.update(p.id, p.current, p.total)),
      ).finally(() => progress.stop());
    });
}
