/**
 * The environment busybox ash hands a command: its exported variables in the order of ash's
 * variable table (hash bucket by hash bucket; in a bucket ash's own variables first, the last of
 * varinit leading, then the rest in the order they were set). The expected orders are what a real
 * 20.10 engine's busybox printed from /proc/self/environ (test/oracle/scenarios/process-env.sh).
 */
import { describe, expect, it } from 'vitest';
import { Vars } from '../../../src/runtime/shell/vars.js';

const names = (v: Vars) => [...v.environ().keys()];

describe('ash environment order', () => {
  it('walks the hash buckets: AA, XA, HOSTNAME, SHLVL, HOME, Q, A, X, PATH, PWD', () => {
    const v = Vars.fromEnv(new Map(['PATH', 'HOSTNAME', 'HOME', 'A', 'AA', 'Q', 'X', 'XA'].map((k) => [k, '1'])));
    v.export('SHLVL', '1');
    v.export('PWD', '/');
    expect(names(v)).toEqual(['AA', 'XA', 'HOSTNAME', 'SHLVL', 'HOME', 'Q', 'A', 'X', 'PATH', 'PWD']);
  });

  it("puts ash's own variables at the head of a shared bucket, the later of varinit first (OPTIND before PS1)", () => {
    const v = Vars.fromEnv(new Map(['PS1', 'OPTIND', 'TERM', 'IFS', 'LINENO'].map((k) => [k, '1'])));
    expect(names(v)).toEqual(['OPTIND', 'PS1', 'TERM', 'IFS', 'LINENO']);
  });

  it('keeps MAIL (bucket 2) before HOSTNAME (bucket 4) however late it is exported', () => {
    const v = Vars.fromEnv(new Map([['HOSTNAME', 'h']]));
    v.export('ZZ', '1');
    v.export('MAIL', 'x');
    expect(names(v)).toEqual(['MAIL', 'HOSTNAME', 'ZZ']);
  });
});
