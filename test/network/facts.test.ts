/**
 * FACTS.md is where the API layer finds Docker's words for each NetworkError reason: every reason the
 * model can throw has its row there, and every row names a reason the model has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;
const facts = readFileSync(join(here, 'FACTS.md'), 'utf8');
const errorsSource = readFileSync(join(here, '../../src/network/errors.ts'), 'utf8');

const reasons = [...errorsSource.matchAll(/^\s+\| '(\w+)'/gm)].map((m) => m[1] as string);
const rows = [...facts.matchAll(/^\| (\w+) \|/gm)].map((m) => m[1] as string).filter((r) => r !== 'reason');

describe('FACTS.md error table', () => {
  it('has a row with the engine text for every NetworkError reason, and no other', () => {
    expect(reasons.length).toBeGreaterThan(15);
    expect([...rows].sort()).toEqual([...reasons].sort());
  });
});
