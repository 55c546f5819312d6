import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { shortId } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('lookup')
    .argument('<image>', 'until boxlab has containers: a fresh overlay mount over this image\'s layers')
    .argument('<path>')
    .description('Where a path resolves in the overlay, which layers were probed, and what it cost')
    .option('--strategy <walk|indexed>', 'walk: probe each layer per path component (a cold kernel); indexed: one merged index', 'walk')
    .option('--dentry-cache', 'put the dentry-cache model in front of walk (a cold first lookup still probes)')
    .option('--json', 'print as JSON')
    .action(async (image: string, path: string, opts: { strategy: string; dentryCache?: boolean; json?: boolean }) => {
      if (opts.strategy !== 'walk' && opts.strategy !== 'indexed') throw new Error(`unknown strategy ${JSON.stringify(opts.strategy)}: use walk or indexed`);
      const r = await (await ctx.engine()).images.lookup(image, path, { strategy: opts.strategy, dentryCache: !!opts.dentryCache });
      if (opts.json) return void ctx.out.write(JSON.stringify(r, null, 2) + '\n');
      const where = r.layer === null ? 'nowhere' : r.layer === 'upper' ? 'the upper layer' : `layer ${r.layer} of ${r.diffIds.length} (diffID ${shortId(r.diffIds[r.layer]!)})`;
      ctx.out.write(`${path}: ${r.found ? `${r.type} /${r.resolved}` : 'not found'}, in ${where}\n`);
      ctx.out.write(`strategy ${opts.strategy}${opts.dentryCache ? ' + dentry cache' : ''}: ${r.probeCount} probes, ${r.dentryHits} dentry hits, ${r.ns} ns\n`);
      const name = (l: 'upper' | 'index' | number) => (typeof l === 'number' ? `L${l}` : l);
      for (const p of r.probes) ctx.out.write(`  ${p.hit ? 'hit ' : 'miss'} ${name(p.layer)}: ${p.name}\n`);
    });
}
