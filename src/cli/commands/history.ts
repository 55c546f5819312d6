import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ago, humanSize, table, truncate } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('history')
    .argument('<image>')
    .description('Show the history of an image: one row per history entry, empty layers too')
    .option('--no-trunc', "don't truncate output")
    .option('-H, --human <bool>', 'print sizes and dates in human readable format', 'true')
    .option('--json', 'print as JSON')
    .action(async (image: string, opts: { trunc: boolean; human: string; json?: boolean }) => {
      const rows = await (await ctx.engine()).images.history(image);
      if (opts.json) return void ctx.out.write(JSON.stringify(rows, null, 2) + '\n');
      const human = opts.human !== 'false';
      ctx.out.write(
        table(
          ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'],
          rows.map((r) => [
            r.id === '<missing>' || !opts.trunc ? r.id : r.id.slice(7, 19),
            human ? ago(r.created) : (r.created ?? ''),
            opts.trunc ? truncate(r.createdBy.replace(/\s+/g, ' '), 45) : r.createdBy,
            human ? humanSize(r.size) : String(r.size),
            r.comment,
          ]),
        ) + '\n',
      );
    });
}
