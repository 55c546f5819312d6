import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ago, humanSize, shortId, table } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('images')
    .description('List images')
    .option('-q, --quiet', 'only show image IDs')
    .option('--no-trunc', "don't truncate output")
    .option('--json', 'print as JSON')
    .action(async (opts: { quiet?: boolean; trunc: boolean; json?: boolean }) => {
      const images = await (await ctx.engine()).images.list();
      if (opts.json) return void ctx.out.write(JSON.stringify(images, null, 2) + '\n');
      const id = (d: `sha256:${string}`) => (opts.trunc ? shortId(d) : d);
      if (opts.quiet) return void ctx.out.write(images.map((i) => id(i.id) + '\n').join(''));
      const rows: string[][] = [];
      for (const img of images) {
        const tags = img.tags.length ? img.tags : ['<none>:<none>'];
        for (const t of tags) {
          const c = t.lastIndexOf(':');
          rows.push([t.slice(0, c), t.slice(c + 1), id(img.id), ago(img.created), humanSize(img.size)]);
        }
      }
      ctx.out.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows) + '\n');
    });
}
