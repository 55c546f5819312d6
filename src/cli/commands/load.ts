import type { Command } from 'commander';
import { constants } from 'node:os';
import type { CliContext } from '../context.js';
import { loadLines } from '../../docker-words.js';

export function register(parent: Command, ctx: CliContext, name = 'load'): void {
  parent
    .command(name)
    .description('Load images from a tar archive (docker save or OCI layout, optionally gzip-compressed) or STDIN')
    .option('-i, --input <file>', 'read from a tar archive file, instead of STDIN')
    .option('-q, --quiet', 'suppress the load progress')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { input?: string; quiet?: boolean; json?: boolean }) => {
      const engine = await ctx.engine();
      if (!opts.input && process.stdin.isTTY) throw new Error('requested load from stdin, but stdin is empty');
      const { layerProgress } = await import('../progress.js');
      const progress = opts.quiet || opts.json ? layerProgress({ isTTY: false } as NodeJS.WriteStream, '') : layerProgress(ctx.out, 'Loading layer');
      // Ctrl-C or a kill ends the process before the load's own cleanup can run: remove this
      // process's staging first, synchronously, then die of the signal's status as a shell expects
      const onSignal = (sig: NodeJS.Signals) => {
        progress.stop();
        engine.store.removeOwnStagingSync();
        process.exit(128 + (constants.signals[sig] ?? 1));
      };
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.once(s, onSignal);
      const res = await engine.images
        .load(opts.input ?? process.stdin, {
          onProgress: (p) => progress.update(p.member.replace(/^blobs\/sha256\//, '').slice(0, 12), p.current, p.total),
        })
        .finally(() => {
          progress.stop();
          for (const s of signals) process.off(s, onSignal);
        });
      if (opts.json) ctx.out.write(JSON.stringify({ images: res.images, tagChanges: res.tagChanges }, null, 2) + '\n');
      else ctx.out.write(loadLines(res).join('\n') + '\n');
    });
}
