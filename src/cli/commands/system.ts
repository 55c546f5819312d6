import type { Command } from 'commander';
import type { DockerCommand } from '../command.js';
import { confirm } from '../confirm.js';
import type { CliContext } from '../context.js';
import type { Engine } from '../../engine/engine.js';
import { humanSize, shortId, table } from '../format.js';
import { formatList, rowContext } from '../template/docker-format.js';

/** docker/cli formatter/disk_usage.go: the summary rows `docker system df --format` sees. */
const DF = {
  defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
};

/**
 * Docker's four rows: images (their layers' bytes, each layer once; no container uses one, so all
 * of it is reclaimable), and boxlab's empty containers, volumes and build cache. go-units HumanSize
 * (four significant digits) is what df prints.
 */
async function dockerDfRows(engine: Engine): Promise<object[]> {
  const images = await engine.images.list();
  const layers = new Map<string, number>();
  // each layer's size as `images` lists it: no need to mount and compare the layers (what `layers` does)
  for (const img of images) img.chainIds.forEach((c, i) => layers.set(c, img.layerSizes[i] ?? 0));
  const size = [...layers.values()].reduce((a, b) => a + b, 0);
  const h = (n: number) => humanSize(n, 4);
  const row = (Type: string, TotalCount: number, bytes: number) =>
    rowContext({ Active: '0', Reclaimable: bytes > 0 ? `${h(bytes)} (100%)` : h(bytes), Size: h(bytes), TotalCount: String(TotalCount), Type });
  return [row('Images', images.length, size), row('Containers', 0, 0), row('Local Volumes', 0, 0), row('Build Cache', 0, 0)];
}

export function register(program: DockerCommand, ctx: CliContext): void {
  const system = program.command('system').description('Manage the store');
  system
    .command('df')
    .description('Show disk usage: bytes shared between images and unique to each')
    .option('-v, --verbose', 'show detailed information on space usage: one row per image')
    .option('--format <format>', "docker's rows (Type, TotalCount, Active, Size, Reclaimable): 'table', 'table TEMPLATE', 'json' or a Go TEMPLATE")
    .option('--json', 'print as JSON')
    .action(async (opts: { verbose?: boolean; json?: boolean; format?: string }) => {
      const engine = await ctx.engine();
      const df = await engine.images.df();
      if (opts.json) return void ctx.out.write(JSON.stringify(df, null, 2) + '\n');
      if (opts.format) return void ctx.out.write(formatList(opts.format, await dockerDfRows(engine), DF));
      // staging of loads that died: reclaimable by `system prune`, as Docker counts its build cache
      const stale = await engine.store.staleStaging();
      const staleBytes = stale.reduce((a, b) => a + b.bytes, 0);
      ctx.out.write(
        table(
          ['TYPE', 'TOTAL', 'SIZE', 'SHARED', 'UNIQUE'],
          [
            ['Images', String(df.images), humanSize(df.totalBytes), humanSize(df.sharedBytes), humanSize(df.uniqueBytes)],
            ...(stale.length ? [['Stale load staging', String(stale.length), humanSize(staleBytes), '0B', humanSize(staleBytes)]] : []),
          ],
        ) + '\n',
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
      const r = await (await ctx.engine()).images.prune(opts);
      if (r.deleted.length) ctx.out.write('Deleted Images:\n' + [...r.deleted, ...r.layers].map((d) => `deleted: ${d}\n`).join('') + '\n');
      ctx.out.write(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    });
}
