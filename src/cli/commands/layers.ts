import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { humanSize, shortId, table, truncate } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('layers')
    .argument('<image>')
    .description("Per layer: diffID, chainID, size, what it added, changed and removed; dive's efficiency and wasted bytes")
    .option('--files', 'list every changed path under its layer')
    .option('--json', 'print as JSON')
    .action(async (image: string, opts: { files?: boolean; json?: boolean }) => {
      const r = await (await ctx.engine()).images.layers(image);
      if (opts.json) return void ctx.out.write(JSON.stringify(r, null, 2) + '\n');
      const rows = r.layers.map((l, i) => [
        String(i),
        shortId(l.diffId),
        shortId(l.chainId),
        humanSize(l.size),
        `+${l.changes.added} ~${l.changes.changed} -${l.changes.removed}`,
        truncate(l.createdBy.replace(/\s+/g, ' '), 40),
      ]);
      ctx.out.write(table(['#', 'DIFF ID', 'CHAIN ID', 'SIZE', 'ADDED/CHANGED/REMOVED', 'CREATED BY'], rows) + '\n');
      if (opts.files) {
        for (const [i, l] of r.layers.entries()) {
          ctx.out.write(`\nlayer ${i} ${l.diffId}\n`);
          for (const c of l.changes.changes) ctx.out.write(`  ${{ added: 'A', changed: 'C', removed: 'D' }[c.kind]} /${c.path}\n`);
        }
      }
      const e = r.efficiency;
      ctx.out.write(`\nImage efficiency score: ${(e.score * 100).toFixed(1)} %\nPotential wasted space: ${humanSize(e.wastedBytes)}\n`);
      if (e.inefficiencies.length) {
        ctx.out.write('\n' + table(['COUNT', 'TOTAL SPACE', 'PATH'], e.inefficiencies.slice(0, 10).map((x) => [String(x.count), humanSize(x.cumulativeBytes), `/${x.path}`])) + '\n');
      }
    });
}
