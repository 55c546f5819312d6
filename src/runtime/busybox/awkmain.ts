/** The awk applet: options (-F -v -f), BEGIN, the input files and assignments, END, the exit status. */
import type { ExitCode } from '../program.js';
import { Awk, Exit, Next } from './awk.js';
import { AwkSyntaxError, Parser, type Program } from './awkparse.js';
import { strnum, toNum } from './awkvalue.js';
import { applet, getopt, lines, openInput, readAll, type Ctx } from './common.js';

async function runMain(awk: Awk, c: Ctx, prog: Program, operands: string[]): Promise<void> {
  const main = prog.rules.filter((r) => r.kind === 'main');
  if (main.length === 0 && !prog.rules.some((r) => r.kind === 'end')) return;
  const files = operands.filter((o) => !/^[A-Za-z_]\w*=/.test(o));
  let fileCount = 0;
  for (const op of operands.length > 0 ? operands : ['-']) {
    const asg = /^([A-Za-z_]\w*)=(.*)$/s.exec(op);
    if (asg) {
      awk.set(asg[1]!, strnum(asg[2]!));
      continue;
    }
    fileCount++;
    const r = await openInput(c, op);
    if (!r) throw new Exit(1);
    awk.set('FILENAME', op === '-' ? '' : op);
    awk.set('FNR', 0);
    for await (const raw of lines(r)) {
      awk.set('NR', toNum(awk.get('NR')) + 1);
      awk.set('FNR', toNum(awk.get('FNR')) + 1);
      awk.setRecord(raw.replace(/\n$/, ''));
      try {
        for (const rule of main) await runRule(awk, rule);
      } catch (e) {
        if (!(e instanceof Next)) throw e;
      }
    }
  }
  if (fileCount === 0 && files.length === 0 && operands.length > 0) {
    // Only assignments: read stdin.
    await runMain(awk, c, prog, [...operands, '-']);
  }
}

async function runRule(awk: Awk, rule: Program['rules'][number]): Promise<void> {
  let selected: boolean;
  if (!rule.pattern) selected = true;
  else if (rule.range) {
    if (rule.inRange) {
      selected = true;
      if (awk.truth(await awk.eval(rule.range))) rule.inRange = false;
    } else if (awk.truth(await awk.eval(rule.pattern))) {
      selected = true;
      rule.inRange = !awk.truth(await awk.eval(rule.range));
    } else selected = false;
  } else selected = awk.truth(await awk.eval(rule.pattern));
  if (!selected) return;
  if (rule.body) await awk.exec(rule.body);
  else await awk.exec({ k: 'print', args: [], printf: false });
}

/** `-F t` is a tab, `-F '\t'` too (POSIX); other escapes as in a string. */
function fieldSep(s: string): string {
  if (s === 't') return '\t';
  return s.replace(/\\(.)/g, (_, ch: string) => ({ t: '\t', n: '\n', '\\': '\\' })[ch] ?? '\\' + ch);
}

export const awk = applet('awk', async (c): Promise<ExitCode> => {
  const a = await getopt(c, '+F:v:f:e:W:');
  if (!a) return 1;
  let src: string;
  const progFiles = a.lists.get('f') ?? [];
  if (progFiles.length > 0) {
    src = '';
    for (const f of progFiles) {
      const r = await openInput(c, f, 'cantOpen');
      if (!r) return 1;
      src += (await readAll(r)).toString() + '\n';
      r.close();
    }
  } else {
    const s = a.args.shift();
    if (s === undefined) return c.usage();
    src = s;
  }
  let prog: Program;
  try {
    prog = new Parser(src).program();
  } catch (e) {
    if (!(e instanceof AwkSyntaxError)) throw e;
    await c.error(`cmd. line:1: ${e.message}`);
    return 1;
  }
  const awk = new Awk(c, prog);
  const F = a.opts.get('F');
  if (typeof F === 'string') awk.set('FS', fieldSep(F));
  for (const v of a.lists.get('v') ?? []) {
    const m = /^([A-Za-z_]\w*)=(.*)$/s.exec(v);
    if (m) awk.set(m[1]!, strnum(m[2]!.replace(/\\n/g, '\n').replace(/\\t/g, '\t')));
  }
  const argv = awk.array('ARGV');
  ['awk', ...a.args].forEach((s, i) => argv.set(String(i), strnum(s)));
  awk.set('ARGC', a.args.length + 1);
  let code: ExitCode = 0;
  let exited = false;
  try {
    for (const r of prog.rules.filter((r) => r.kind === 'begin')) await awk.exec(r.body!);
    await runMain(awk, c, prog, a.args);
  } catch (e) {
    if (e instanceof Exit) {
      code = e.code;
      exited = true;
    } else if (e instanceof AwkSyntaxError) {
      await c.out.flush();
      await c.error(`cmd. line:1: ${e.message}`);
      return 2;
    } else throw e;
  }
  try {
    // END runs after exit in BEGIN or a rule too (POSIX), unless END itself exits.
    if (!exited || code !== 2) for (const r of prog.rules.filter((r) => r.kind === 'end')) await awk.exec(r.body!);
  } catch (e) {
    if (e instanceof Exit) code = e.code;
    else throw e;
  }
  awk.closeAll();
  return code;
});
