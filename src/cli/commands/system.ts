import type { Command } from 'commander';
import type { DockerCommand } from '../command.js';
import { confirm } from '../confirm.js';
import type { CliContext } from '../context.js';
import { humanSize, shortId, table } from '../format.js';

export function register(program: DockerCommand, ctx: CliContext): void {
  const system = program.command('system').description('Manage the store');
  system
    .command('df')
    .description('Show disk usage: bytes shared between images and unique to each')
    .option('-v, --verbose', 'show detailed information on space usage: one row per image')
    .option('--json', 'print as JSON')
    .action(async (opts: { verbose?: boolean; json?: boolean }) => {
      const df = await (await ctx.engine()).df();
      if (opts.json) return void ctx.out.write(JSON.stringify(df, null, 2) + '\n');
      ctx.out.write(
        table(['TYPE', 'TOTAL', 'SIZE', 'SHARED', 'UNIQUE'], [['Images', String(df.images), humanSize(df.totalBytes), humanSize(df.sharedBytes), humanSize(df.uniqueBytes)]]) + '\n',
      );
      if (!opts.verbose) return;
      ctx.out.write(
        '\n' +
          table(
            ['IMAGE ID', 'TAGS', 'SHARED SIZE', 'UNIQUE SIZE'],
            df.perImage.map((i) => [shortId(i.id), i.tags.join(',') || '<none>', humanSize(i.shared), humanSize(i.unique)]),
          ) +
          '\n',
      );
    });
  pruneCommand(system.command('prune').description('Remove unused images and collect unreferenced blobs'), ctx, 'system');
}

/**
 * `image prune` and `system prune`: Docker's question first unless -f (docker/cli
 * cli/command/image/prune.go and system/prune.go; boxlab has no containers, networks or build
 * cache, so the system warning lists images only).
 */
export function pruneCommand(cmd: Command, ctx: CliContext, kind: 'image' | 'system'): Command {
  return cmd
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async (opts: { all?: boolean; force?: boolean }) => {
      const what = opts.all ? 'all images without at least one container associated to them' : 'all dangling images';
      const warning = kind === 'image' ? `WARNING! This will remove ${what}.` : `WARNING! This will remove:\n  - ${what}\n`;
      if (!opts.force && !(await confirm(ctx, warning))) return;
      const r = await (await ctx.engine()).prune(opts);
      if (r.deleted.length) ctx.out.write('Deleted Images:\n' + [...r.deleted, ...r.layers].map((d) => `deleted: ${d}\n`).join('') + '\n');
      ctx.out.write(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    });
}
