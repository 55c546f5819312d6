import type { Engine } from '../engine/engine.js';

/** What every command gets: the engine for the chosen root, opened on first use. */
export interface CliContext {
  engine(): Promise<Engine>;
  in: NodeJS.ReadStream;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}
