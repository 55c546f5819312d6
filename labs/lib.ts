/** Small helpers shared by the labs: headings, notes, a temporary store, the bundled images. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { Engine } from '../src/engine/engine.js';

export const IMAGES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'images');

export interface LabOutput {
  write(s: string): void;
}

export const stdout: LabOutput = { write: (s) => process.stdout.write(s) };

export function heading(out: LabOutput, title: string): void {
  out.write(`\n${pc.bold(pc.cyan(`== ${title}`))}\n`);
}

/** What the learner should look at, set apart from the output. */
export function note(out: LabOutput, text: string): void {
  out.write(`${pc.yellow('>')} ${text.replace(/\n/g, `\n${pc.yellow('>')} `)}\n`);
}

export function line(out: LabOutput, text = ''): void {
  out.write(`${text}\n`);
}

/** An engine over a fresh store in a temporary directory, so a lab never touches the user's store. */
export async function labEngine(): Promise<{ engine: Engine; root: string; cleanup(): void }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlab-lab-'));
  return { engine: await Engine.open({ root }), root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** True when the module is the script node was started with (`npx tsx labs/NN-topic.ts`). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}
