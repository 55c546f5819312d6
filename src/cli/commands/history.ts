import type { HistoryRow } from '../../engine/engine.js';
import type { DockerCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { ago, humanSize, rfc3339, truncate } from '../format.js';
import { formatList, rowContext } from '../template/docker-format.js';

/** docker/cli formatter/history.go. */
const HISTORY = {
  defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
  headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
};

function row(r: HistoryRow, opts: { trunc: boolean; human: boolean }): object {
  // CreatedSince is the RFC 3339 time when not human, and the column then says CREATED AT
  return rowContext({
    Comment: r.comment,
    CreatedAt: rfc3339(r.created),
    CreatedBy: opts.trunc ? truncate(r.createdBy.replace(/\t/g, ' '), 45) : r.createdBy,
    CreatedSince: opts.human ? ago(r.created) : rfc3339(r.created),
    ID: r.id === '<missing>' || !opts.trunc ? r.id : r.id.slice(7, 19),
    Size: opts.human ? humanSize(r.size) : String(r.size),
  });
}

export function register(parent: DockerCommand, ctx: CliContext, name = 'history'): void {
  parent
    .command(name)
    .argument('<image>', 'name[:tag], ID or ID prefix')
    .description('Show the history of an image: one row per history entry, empty layers too')
    .option('--format <format>', "'table', 'table TEMPLATE', 'json' or a Go TEMPLATE, as docker's")
    .boolOption('-H, --human', 'print sizes and dates in human readable format', true)
    .option('--no-trunc', "don't truncate output")
    .option('-q, --quiet', 'only show image IDs')
    .option('--json', 'print as JSON')
    .action(async (image: string, opts: { trunc: boolean; human: boolean; quiet?: boolean; json?: boolean; format?: string }) => {
      const rows = await (await ctx.engine()).images.history(image);
      // --json: one array of the rows `--format json` prints, with docker's keys (ID, CreatedBy, Size ...)
      if (opts.json) return void ctx.out.write(JSON.stringify(rows.map((r) => row(r, opts)), null, 2) + '\n');
      const id = (r: { id: string }) => (r.id === '<missing>' || !opts.trunc ? r.id : r.id.slice(7, 19));
      if (opts.quiet) return void ctx.out.write(rows.map((r) => id(r) + '\n').join(''));
      const headers = opts.human ? HISTORY.headers : { ...HISTORY.headers, CreatedSince: 'CREATED AT' };
      ctx.out.write(formatList(opts.format ?? 'table', rows.map((r) => row(r, opts)), { ...HISTORY, headers }));
    });
}
