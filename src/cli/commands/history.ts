import type { DockerCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { ago, humanSize, rfc3339, table, truncate } from '../format.js';

export function register(parent: DockerCommand, ctx: CliContext, name = 'history'): void {
  parent
    .command(name)
    .argument('<image>', 'name[:tag], ID or ID prefix')
    .description('Show the history of an image: one row per history entry, empty layers too')
    .boolOption('-H, --human', 'print sizes and dates in human readable format', true)
    .option('--no-trunc', "don't truncate output")
    .option('-q, --quiet', 'only show image IDs')
    .option('--json', 'print as JSON')
    .action(async (image: string, opts: { trunc: boolean; human: boolean; quiet?: boolean; json?: boolean }) => {
      const rows = await (await ctx.engine()).history(image);
      if (opts.json) return void ctx.out.write(JSON.stringify(rows, null, 2) + '\n');
      const id = (r: { id: string }) => (r.id === '<missing>' || !opts.trunc ? r.id : r.id.slice(7, 19));
      if (opts.quiet) return void ctx.out.write(rows.map((r) => id(r) + '\n').join(''));
      ctx.out.write(
        table(
          // docker history -H=false: RFC 3339 times under CREATED AT, sizes in bytes
          ['IMAGE', opts.human ? 'CREATED' : 'CREATED AT', 'CREATED BY', 'SIZE', 'COMMENT'],
          rows.map((r) => [
            id(r),
            opts.human ? ago(r.created) : rfc3339(r.created),
            opts.trunc ? truncate(r.createdBy.replace(/\s+/g, ' '), 45) : r.createdBy,
            opts.human ? humanSize(r.size) : String(r.size),
            r.comment,
          ]),
        ) + '\n',
      );
    });
}
