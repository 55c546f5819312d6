import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { humanSize, shortId, table } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  const system = program.command('system').description('Manage the store');
  system
    .command('df')
    .description('Show disk usage: bytes shared between images and unique to each')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const df = await (await ctx.engine()).images.df();
      if (opts.json) return void ctx.out.write(JSON.stringify(df, null, 2) + '\n');
      ctx.out.write(
        table(['TYPE', 'TOTAL', 'SIZE', 'SHARED', 'UNIQUE'], [['Images', String(df.images), humanSize(df.totalBytes), humanSize(df.sharedBytes), humanSize(df.uniqueBytes)]]) + '\n\n',
      );
      ctx.out.write(
        table(
          ['IMAGE ID', 'TAGS', 'SHARED SIZE', 'UNIQUE SIZE'],
          df.perImage.map((i) => [shortId(i.id), i.tags.join(',') || '<none>', humanSize(i.shared), humanSize(i.unique)]),
        ) + '\n',
      );
    });
  const prune = (cmd: Command) =>
    cmd
      .option('-a, --all', 'remove all images, not just untagged ones')
      .option('-f, --force', 'do not prompt for confirmation')
      .action(async (opts: { all?: boolean }) => {
        const r = await (await ctx.engine()).images.prune(opts);
        if (r.deleted.length) ctx.out.write('Deleted Images:\n' + [...r.deleted, ...r.layers].map((d) => `deleted: ${d}\n`).join('') + '\n');
        ctx.out.write(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
      });
  prune(system.command('prune').description('Remove unused images and collect unreferenced blobs'));
  prune(program.command('image').description('Manage images').command('prune').description('Remove unused images'));
}
