import type { Command } from 'commander';
import type { Digest } from '../../digest.js';
import type { LookupResult } from '../../overlay/index.js';
import type { CliContext } from '../context.js';
import { shortId } from '../format.js';

export function register(program: Command, ctx: CliContext): void {
  program
    .command('lookup')
    .argument('<image>', "until boxlab has containers: a fresh overlay mount over this image's layers")
    .argument('<path>', 'the path to look up in the merged view, as a process in the container would')
    .description('Where a path resolves in the overlay, which layers were probed, and what it cost')
    .option('--strategy <walk|indexed>', 'walk: probe each layer per path component (a cold kernel); indexed: one merged index', 'walk')
    .option('--dentry-cache', 'put the dentry-cache model in front of walk, and look the path up twice: cold, then warm')
    .option('--json', 'print as JSON')
    .action(async (image: string, path: string, opts: { strategy: string; dentryCache?: boolean; json?: boolean }) => {
      if (opts.strategy !== 'walk' && opts.strategy !== 'indexed') throw new Error(`unknown strategy ${JSON.stringify(opts.strategy)}: use walk or indexed`);
      const engine = await ctx.engine();
      const diffIds = (await engine.images.imageRecord(image)).record.diffIds;
      const m = await engine.images.mount(image, { strategy: opts.strategy, dentryCache: !!opts.dentryCache });
      // a fresh process has a cold cache: the second lookup on the same mount shows what it saves
      const runs = opts.dentryCache ? [m.lookup(path), m.lookup(path)] : [m.lookup(path)];
      if (opts.json) {
        const [first, second] = runs;
        return void ctx.out.write(JSON.stringify({ ...first, diffIds, ...(second ? { warm: second } : {}) }, null, 2) + '\n');
      }
      ctx.out.write(`${path}: ${describe(runs[0]!, diffIds)}\n`);
      for (const [i, r] of runs.entries()) {
        const label = runs.length > 1 ? (i === 0 ? ' (cold)' : ' (again, warm)') : '';
        ctx.out.write(`strategy ${opts.strategy}${opts.dentryCache ? ' + dentry cache' : ''}${label}: ${r.probeCount} probes, ${r.dentryHits} dentry hits, ${r.ns} ns\n`);
        printProbes(ctx, r);
      }
    });
}

/** "file /a/b, in L2 (the top of L0..L2, diffID ...)": layers named as the probes name them. */
function describe(r: LookupResult, diffIds: Digest[]): string {
  const top = diffIds.length - 1;
  const where =
    r.layer === null ? 'nowhere'
    : r.layer === 'upper' ? 'the upper layer'
    : `L${r.layer} of L0..L${top}${r.layer === top ? ' (the top)' : r.layer === 0 ? ' (the bottom)' : ''}, diffID ${shortId(diffIds[r.layer]!)}`;
  return `${r.found ? `${r.type} /${r.resolved}` : 'not found'}, in ${where}`;
}

function printProbes(ctx: CliContext, r: LookupResult): void {
  const name = (l: 'upper' | 'index' | number) => (typeof l === 'number' ? `L${l}` : l);
  for (const p of r.probes) {
    const what = p.whiteout ? 'whiteout' : p.hit ? 'hit     ' : 'miss    ';
    ctx.out.write(`  ${what} ${name(p.layer)}: ${p.name}${p.whiteout ? ' (deleted here: the walk stops)' : ''}\n`);
  }
}
