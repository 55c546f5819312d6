import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { applyFilters, parseFilters } from '../filters.js';
import { ago, humanSize, shortId, table } from '../format.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(parent: Command, ctx: CliContext, name = 'images'): void {
  parent
    .command(name)
    .argument('[repository]', 'only images of this REPOSITORY[:TAG] (a glob, as docker takes it)')
    .description('List images')
    .option('-a, --all', 'show all images (boxlab keeps no intermediate images: the same list)')
    .option('--digests', 'show digests')
    .option('-f, --filter <filter>', 'filter output: dangling=, reference=, before=, since=, label=', collect, [])
    .option('-q, --quiet', 'only show image IDs')
    .option('--no-trunc', "don't truncate output")
    .option('--json', 'print as JSON')
    .action(async (repository: string | undefined, opts: { quiet?: boolean; digests?: boolean; trunc: boolean; json?: boolean; filter: string[] }) => {
      const engine = await ctx.engine();
      const filters = parseFilters([...opts.filter, ...(repository ? [`reference=${repository}`] : [])]);
      const images = await applyFilters(engine, await engine.images(), filters);
      if (opts.json) return void ctx.out.write(JSON.stringify(images, null, 2) + '\n');
      const id = (d: `sha256:${string}`) => (opts.trunc ? shortId(d) : d);
      if (opts.quiet) return void ctx.out.write([...new Set(images.map((i) => id(i.id)))].map((i) => i + '\n').join(''));
      const rows: string[][] = [];
      for (const img of images) {
        const tags = img.tags.length ? img.tags : ['<none>:<none>'];
        for (const t of tags) {
          const c = t.lastIndexOf(':');
          // boxlab never pulls, so an image has no registry digest: Docker shows <none> for those
          const digest = opts.digests ? ['<none>'] : [];
          rows.push([t.slice(0, c), t.slice(c + 1), ...digest, id(img.id), ago(img.created), humanSize(img.size)]);
        }
      }
      const header = ['REPOSITORY', 'TAG', ...(opts.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
      ctx.out.write(table(header, rows) + '\n');
    });
}
