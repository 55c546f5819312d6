import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/**
 * The docker verbs boxlab does not have yet: each says so and names the way to do it, instead of
 * commander's "unknown command".
 */
const NOT_YET: Record<string, string> = {
  run: 'run containers through `boxlab daemon` and the docker CLI',
  create: 'create containers through `boxlab daemon` and the docker CLI',
  start: 'start containers through `boxlab daemon` and the docker CLI',
  exec: 'run commands in containers through `boxlab daemon` and the docker CLI',
  ps: 'list containers through `boxlab daemon` and the docker CLI',
  build: 'build images with docker (or umoci) and `boxlab load` the result',
  commit: 'commit containers with docker and `boxlab load` the result of `docker save`',
  pull: 'boxlab never reaches a registry: `docker pull` then `docker save IMAGE | boxlab load`',
  push: 'boxlab never reaches a registry: `boxlab save IMAGE | docker load`, then `docker push`',
};

export function register(program: Command, _ctx: CliContext): void {
  for (const [verb, how] of Object.entries(NOT_YET)) {
    program
      .command(verb, { hidden: true })
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]')
      .action(() => {
        throw new Error(`boxlab has no "${verb}" yet: ${how}`);
      });
  }
}
