import type { DockerCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { register as history } from './history.js';
import { register as images } from './images.js';
import { register as inspect } from './inspect.js';
import { register as load } from './load.js';
import { register as rmi } from './rmi.js';
import { register as save } from './save.js';
import { pruneCommand } from './system.js';
import { register as tag } from './tag.js';

/** `boxlab image ls|rm|inspect|history|save|load|tag|prune`, the management commands of Docker's CLI. */
export function register(program: DockerCommand, ctx: CliContext): void {
  const image = program.command('image').description('Manage images');
  images(image, ctx, 'ls');
  image.commands.at(-1)!.alias('list');
  rmi(image, ctx, 'rm');
  image.commands.at(-1)!.alias('remove');
  inspect(image, ctx);
  history(image, ctx);
  save(image, ctx);
  load(image, ctx);
  tag(image, ctx);
  pruneCommand(image.command('prune').description('Remove unused images'), ctx, 'image');
}
