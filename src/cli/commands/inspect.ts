import type { Command } from 'commander';
import { isCode } from '../../errors.js';
import type { CliContext } from '../context.js';
import { checkTemplate, executeTemplate } from '../template/exec.js';

/**
 * docker/cli cli/command/inspect/inspector.go: with no format, an indented JSON array; `json`, the
 * same array on one line; otherwise the template once per object, a missing key an error (the raw
 * JSON fallback's missingkey=error). `table` means nothing special here.
 */
function render(objects: unknown[], format: string | undefined): string {
  if (format === undefined || format === '') return JSON.stringify(objects, null, 4) + '\n';
  if (format === 'json') return JSON.stringify(objects) + '\n';
  const tmpl = format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return objects.map((o) => executeTemplate(tmpl, o, { missingKey: 'error' }) + '\n').join('');
}

export function register(parent: Command, ctx: CliContext, name = 'inspect'): void {
  parent
    .command(name)
    .argument('<image...>', 'images to inspect: name[:tag], ID or ID prefix')
    .description('Docker-shaped JSON for images: Id, RepoTags, RootFS.Layers, Config ...')
    .option('-f, --format <format>', "'json' or a Go TEMPLATE, as docker's")
    .action(async (images: string[], opts: { format?: string }) => {
      if (opts.format && opts.format !== 'json') checkTemplate(opts.format);
      const engine = await ctx.engine();
      const out: unknown[] = [];
      let missing: unknown;
      for (const ref of images) {
        try {
          out.push(await engine.images.inspect(ref));
        } catch (err) {
          if (!isCode(err, 'NotFound')) throw err;
          missing ??= err;
        }
      }
      try {
        ctx.out.write(render(out, opts.format));
      } catch (err) {
        throw new Error(`template parsing error: ${(err as Error).message}`);
      }
      if (missing) throw missing;
    });
}
