import type { Command } from 'commander';
import type { ImageSummary } from '../../engine/engine.js';
import type { CliContext } from '../context.js';
import { applyFilters, parseFilters } from '../filters.js';
import { ago, goTimeString, humanSize, shortId } from '../format.js';
import { formatList, rowContext } from '../template/docker-format.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** docker/cli formatter/image.go: the columns, and each row's fields as `--format` sees them. */
const IMAGES = {
  defaultTable: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  digestsTable: 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: {
    ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
    Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
  },
};

function rows(images: ImageSummary[], trunc: boolean): object[] {
  const out: object[] = [];
  for (const img of images) {
    for (const t of img.tags.length ? img.tags : ['<none>:<none>']) {
      const c = t.lastIndexOf(':');
      // keys in json.Marshal's order for a map (sorted); boxlab never pulls, so no image has a digest
      out.push(rowContext({
        Containers: 'N/A', CreatedAt: goTimeString(img.created), CreatedSince: ago(img.created), Digest: '<none>',
        ID: trunc ? shortId(img.id) : img.id, Repository: t.slice(0, c), SharedSize: 'N/A', Size: humanSize(img.size),
        Tag: t.slice(c + 1), UniqueSize: 'N/A', VirtualSize: humanSize(img.size, 4), // go-units HumanSize here, as docker's
      }));
    }
  }
  return out;
}

export function register(parent: Command, ctx: CliContext, name = 'images'): void {
  parent
    .command(name)
    .argument('[repository]', 'only images of this REPOSITORY[:TAG] (a glob, as docker takes it)')
    .description('List images')
    .option('-a, --all', 'show all images (boxlab keeps no intermediate images: the same list)')
    .option('--digests', 'show digests')
    .option('-f, --filter <filter>', 'filter output: dangling=, reference=, before=, since=, label=', collect, [])
    .option('--format <format>', "'table', 'table TEMPLATE', 'json' or a Go TEMPLATE, as docker's")
    .option('-q, --quiet', 'only show image IDs')
    .option('--no-trunc', "don't truncate output")
    .option('--json', 'print as JSON')
    .action(async (repository: string | undefined, opts: { quiet?: boolean; digests?: boolean; trunc: boolean; json?: boolean; filter: string[]; format?: string }) => {
      const engine = await ctx.engine();
      const filters = parseFilters([...opts.filter, ...(repository ? [`reference=${repository}`] : [])]);
      const images = await applyFilters(engine, await engine.images.list(), filters);
      // --json: one array of the rows `--format json` prints, with docker's keys (ID, Repository, Tag ...)
      if (opts.json) return void ctx.out.write(JSON.stringify(rows(images, opts.trunc), null, 2) + '\n');
      const id = (d: `sha256:${string}`) => (opts.trunc ? shortId(d) : d);
      if (opts.quiet) return void ctx.out.write([...new Set(images.map((i) => id(i.id)))].map((i) => i + '\n').join(''));
      const list = { ...IMAGES, defaultTable: opts.digests ? IMAGES.digestsTable : IMAGES.defaultTable };
      ctx.out.write(formatList(opts.format ?? 'table', rows(images, opts.trunc), list));
    });
}
