import type { Command } from 'commander';
import type { HostNode } from '../../engine/host-tree.js';
import type { CliContext } from '../context.js';
import { humanSize } from '../format.js';

/** The node at `path` (absolute under /var/lib/docker, or relative to it), or undefined. */
function find(root: HostNode, path: string): HostNode | undefined {
  const rel = path.startsWith(root.name) ? path.slice(root.name.length) : path;
  let cur: HostNode | undefined = root;
  for (const part of rel.split('/').filter(Boolean)) cur = cur?.children?.find((c) => c.name === part);
  return cur;
}

function label(n: HostNode): string {
  const size = n.type === 'file' ? ` (${n.size === undefined ? 'size not modelled' : humanSize(n.size)})` : '';
  const target = n.type === 'symlink' ? ` -> ${n.target}` : '';
  const kind = n.type === 'char' || n.type === 'block' ? ` [${n.type} device]` : '';
  return `${n.name}${n.type === 'dir' ? '/' : ''}${target}${size}${kind}${n.note ? `  # ${n.note}` : ''}`;
}

/** Lines as tree(1) draws them. */
export function drawTree(n: HostNode, prefix = '', out: string[] = [label(n)]): string[] {
  const kids = [...(n.children ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  kids.forEach((k, i) => {
    const last = i === kids.length - 1;
    out.push(`${prefix}${last ? '└── ' : '├── '}${label(k)}`);
    if (k.children) drawTree(k, prefix + (last ? '    ' : '│   '), out);
  });
  return out;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('tree')
    .argument('[path]', 'a directory of the view to draw (e.g. /var/lib/docker/image/overlay2/layerdb)', '/var/lib/docker')
    .description("/var/lib/docker as Docker 20.10's overlay2 engine lays it out for what boxlab holds: layers, images, containers")
    .option('--json', 'print as JSON')
    .action(async (path: string, opts: { json?: boolean }) => {
      const { dockerHostTree } = await import('../../engine/host-tree.js');
      const root = await dockerHostTree(await ctx.engine());
      const node = find(root, path);
      if (!node) throw new Error(`${path}: no such directory in the view of /var/lib/docker`);
      ctx.out.write(opts.json ? JSON.stringify(node, null, 2) + '\n' : drawTree(node).join('\n') + '\n');
    });
}
