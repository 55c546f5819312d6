/**
 * Generated shell scripts (fast-check, fixed seed) run by the real busybox sh and by the model's,
 * compared as the corpus is: small programs of assignments, expansions, arithmetic, tests, loops,
 * case, functions, pipelines, subshells, redirections and exit statuses, deterministic by
 * construction (no clock, no pids).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeWithTool, needTool } from '../support/tools.js';
import { realRun, modelRun } from './differential.js';

const busybox = needTool('busybox', 'apt-get install busybox-static');

const name = fc.constantFrom('a', 'b', 'x');
const lit = fc.constantFrom('1', '2', '10', 'foo', 'a b', '', '*', '-n', 'x:y', '  sp  ');
const quoted = lit.map((s) => `'${s}'`);

const word: fc.Arbitrary<string> = fc.oneof(
  lit.filter((s) => /^[a-z0-9]+$/.test(s)),
  quoted,
  name.map((n) => `$${n}`),
  name.map((n) => `"$${n}"`),
  fc.tuple(name, fc.constantFrom(':-', '-', ':+', '#', '%', '##'), fc.constantFrom('d', 'f*', '*o', '1')).map(([n, op, w]) => `\${${n}${op}${w}}`),
  name.map((n) => `\${#${n}}`),
  fc.tuple(name, fc.constantFrom('+', '*', '-', '%', '<', '=='), fc.integer({ min: 1, max: 9 })).map(([n, op, k]) => `$((\${${n}:-0} ${op} ${k}))`),
  fc.constantFrom('$?', '$#', '"$@"', '$*', '$(echo sub)', '`echo bq`'),
);

const simple: fc.Arbitrary<string> = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => `echo ${ws.join(' ')}`),
  fc.tuple(name, word).map(([n, w]) => `${n}=${w}`),
  fc.tuple(fc.constantFrom('%s|', '[%s]', '%d\\n', '%5s.'), fc.array(word, { maxLength: 2 })).map(([f, ws]) => `printf '${f}' ${ws.join(' ')}`),
  fc.constantFrom('true', 'false', ':', '(exit 3)', 'set -- p q r', 'shift', 'unset a', 'f', 'f 1 2', 'nosuchcmd'),
  fc.tuple(word, fc.constantFrom('=', '!=', '-eq', '-lt'), word).map(([l, op, r]) => `[ ${l} ${op} ${r} ]`),
  fc.tuple(name, word).map(([n, w]) => `${n}=${w} sh -c 'echo "[$${n}]"'`),
);

const command: fc.Arbitrary<string> = fc.letrec((tie) => ({
  cmd: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    simple,
    fc.tuple(tie('cmd'), fc.constantFrom('&&', '||', '|', ';'), tie('cmd')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('cmd').map((c) => `! ${c}`),
    tie('cmd').map((c) => `( ${c} )`),
    tie('cmd').map((c) => `{ ${c}; }`),
    fc.tuple(tie('cmd'), tie('cmd'), tie('cmd')).map(([c, t, e]) => `if ${c}; then ${t}; else ${e}; fi`),
    fc.tuple(name, fc.array(word, { maxLength: 3 }), tie('cmd')).map(([n, ws, b]) => `for ${n} in ${ws.join(' ')}; do ${b}; done`),
    fc.tuple(word, tie('cmd'), tie('cmd')).map(([w, a, b]) => `case ${w} in 1|foo) ${a};; *o*) ${b};; esac`),
    tie('cmd').map((c) => `${c} > out.txt; cat out.txt`),
    tie('cmd').map((c) => `x=$( ${c} ); echo "<$x>"`),
    tie('cmd').map((c) => `${c} | cat`),
  ),
})).cmd as fc.Arbitrary<string>;

const script = fc
  .tuple(fc.array(command, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([cmds, errexit]) => `f() { echo "f:$#:$1"; return 2; }\n${errexit ? 'set -e\n' : ''}${cmds.join('\n')}\necho "end $?"`);

describeWithTool(busybox, 'generated scripts, model sh against busybox sh', () => {
  it('give the same stdout, stderr and status', async () => {
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        const c = { name: 'generated', script: s };
        const want = realRun(c);
        const got = await modelRun(c);
        expect({ script: s, ...got }).toEqual({ script: s, ...want });
      }),
      { numRuns: 60, seed: 20261128, endOnFailure: true },
    );
  });
});
