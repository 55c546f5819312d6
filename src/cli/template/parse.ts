/**
 * A parser for Go's text/template, the language of the docker CLI's `--format` (pkg.go.dev/text/template):
 * text and actions with `{{- -}}` trimming, comments, pipelines with `|`, variables (`$x := ...`,
 * `$x = ...`, `$`), fields (`.A.B`, `$x.A`, `(pipeline).A`), literals, and the `if`/`else if`/`else`,
 * `range` (with `$i, $e :=`), `with` and `end` blocks. `define`/`template`/`block` are not accepted:
 * no docker format uses them.
 *
 * Evaluated npm ports (issue 14): @ctrl/golang-template has no variables, functions or pipelines;
 * @mdfriday/text-template parses well but prints values as JavaScript does (`[object Object]`, a
 * slice as "a,b") and ships minified, so fmt's printing could not be fixed from outside. This is
 * written from the language's documentation; the differential test in test/cli/ checks it against
 * the real docker CLI.
 */

export type Arg =
  | { kind: 'dot'; chain: string[]; pos: number }
  | { kind: 'field'; chain: string[]; pos: number }
  | { kind: 'var'; name: string; chain: string[]; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'literal'; value: string | number | boolean | null; pos: number }
  | { kind: 'pipe'; pipe: Pipe; chain: string[]; pos: number };

export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Arg[][];
  pos: number;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | null };

export class TemplateError extends Error {}

type Tok =
  | { t: 'text'; v: string; pos: number }
  | { t: 'open' | 'close' | 'pipe' | 'lparen' | 'rparen' | 'comma' | 'declare' | 'assign'; pos: number }
  | { t: 'word' | 'field' | 'var' | 'string' | 'number'; v: string; pos: number };

/** Splits into text and action tokens, applying `{{-` and `-}}` trimming. */
function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) toks.push({ t: 'text', v: text, pos: i });
      break;
    }
    const trimLeft = /^\{\{- /.test(src.slice(open, open + 4)) || src.slice(open, open + 4) === '{{-\t' || src.slice(open, open + 4) === '{{-\n';
    if (trimLeft) text = text.replace(/\s+$/, '');
    if (text) toks.push({ t: 'text', v: text, pos: i });
    let j = open + (trimLeft ? 3 : 2);
    if (src.startsWith('/*', j) || (trimLeft && src.startsWith('/*', j + 1))) {
      const end = src.indexOf('*/', j);
      if (end < 0) throw new TemplateError(`template: :${lineOf(src, open)}: unclosed comment`);
      j = end + 2;
      const close = /^(\s-)?}}/.exec(src.slice(j));
      if (!close) throw new TemplateError(`template: :${lineOf(src, open)}: comment ends before closing delimiter`);
      trimNext = close[1] !== undefined;
      i = j + close[0].length;
      continue;
    }
    toks.push({ t: 'open', pos: open });
    const end = lexAction(src, j, toks);
    trimNext = end.trim;
    toks.push({ t: 'close', pos: end.at });
    i = end.at + 2;
  }
  return toks;
}

const lineOf = (src: string, pos: number) => src.slice(0, pos).split('\n').length;

/** Lexes one action from `j` up to its `}}` (or ` -}}`, which trims the text after it). */
function lexAction(src: string, j: number, toks: Tok[]): { at: number; trim: boolean } {
  for (;;) {
    if (j >= src.length) throw new TemplateError(`template: :${lineOf(src, j)}: unclosed action`);
    const c = src[j]!;
    if (src.startsWith('}}', j)) return { at: j, trim: false };
    if (/\s/.test(c)) {
      if (src.startsWith('-}}', j + 1)) return { at: j + 2, trim: true };
      j++;
      continue;
    }
    const rest = src.slice(j);
    const tok = lexToken(rest, j);
    if (tok) {
      toks.push(tok.tok);
      j += tok.len;
      continue;
    }
    throw new TemplateError(`template: :${lineOf(src, j)}: unexpected ${JSON.stringify(c)} in command`);
  }
}

/** One token of an action at the start of `rest` (at `pos` in the source), and its length. */
function lexToken(rest: string, pos: number): { tok: Tok; len: number } | null {
  const single: Record<string, Tok['t']> = { '|': 'pipe', '(': 'lparen', ')': 'rparen', ',': 'comma', '=': 'assign' };
  if (rest.startsWith(':=')) return { tok: { t: 'declare', pos }, len: 2 };
  const c = rest[0]!;
  if (single[c]) return { tok: { t: single[c] as 'pipe', pos }, len: 1 };
  let m: RegExpExecArray | null;
  if ((m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest))) return { tok: { t: 'string', v: JSON.parse(m[0]) as string, pos }, len: m[0].length };
  if ((m = /^`[^`]*`/.exec(rest))) return { tok: { t: 'string', v: m[0].slice(1, -1), pos }, len: m[0].length };
  const kinds: [RegExp, 'var' | 'field' | 'number' | 'word'][] = [
    [/^\$\w*/, 'var'],
    [/^(\.\w+)+|^\./, 'field'],
    [/^[-+]?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][-+]?\d+)?)/, 'number'],
    [/^[A-Za-z_]\w*/, 'word'],
  ];
  for (const [re, t] of kinds) if ((m = re.exec(rest))) return { tok: { t, v: m[0], pos }, len: m[0].length };
  return null;
}

export function parseTemplate(src: string): Node[] {
  const toks = lex(src);
  let k = 0;
  const peek = () => toks[k];
  const fail = (msg: string): never => {
    throw new TemplateError(`template: :${lineOf(src, peek()?.pos ?? src.length)}: ${msg}`);
  };

  const chainAfter = (): string[] => {
    const t = peek();
    if (t?.t === 'field' && t.v !== '.' && t.pos === (toks[k - 1] as { pos: number; v?: string }).pos + 1) {
      k++;
      return t.v.split('.').slice(1);
    }
    return [];
  };

  const operand = (): Arg | null => {
    const t = peek();
    if (!t) return null;
    if (t.t === 'field') {
      k++;
      return t.v === '.' ? { kind: 'dot', chain: [], pos: t.pos } : { kind: 'field', chain: t.v.split('.').slice(1), pos: t.pos };
    }
    if (t.t === 'var') {
      k++;
      return { kind: 'var', name: t.v, chain: chainAfter(), pos: t.pos };
    }
    if (t.t === 'string') return (k++, { kind: 'literal', value: t.v, pos: t.pos });
    if (t.t === 'number') return (k++, { kind: 'literal', value: Number(t.v), pos: t.pos });
    if (t.t === 'word') {
      if (['end', 'else', 'if', 'range', 'with'].includes(t.v)) return null;
      k++;
      if (t.v === 'true' || t.v === 'false') return { kind: 'literal', value: t.v === 'true', pos: t.pos };
      if (t.v === 'nil') return { kind: 'literal', value: null, pos: t.pos };
      return { kind: 'ident', name: t.v, pos: t.pos };
    }
    if (t.t === 'lparen') {
      k++;
      const p = pipeline(false);
      if (peek()?.t !== 'rparen') fail('unclosed left paren');
      const close = toks[k++]!;
      const next = peek();
      let chain: string[] = [];
      if (next?.t === 'field' && next.v !== '.' && next.pos === close.pos + 1) chain = (k++, next.v.split('.').slice(1));
      return { kind: 'pipe', pipe: p, chain, pos: t.pos };
    }
    return null;
  };

  const pipeline = (allowDecl: boolean): Pipe => {
    const pos = peek()?.pos ?? 0;
    const decl: string[] = [];
    let assign = false;
    if (allowDecl && peek()?.t === 'var') {
      const save = k;
      const names: string[] = [];
      while (peek()?.t === 'var') {
        names.push((toks[k++] as { v: string }).v);
        if (peek()?.t === 'comma') k++;
        else break;
      }
      const t = peek();
      if (t?.t === 'declare' || t?.t === 'assign') {
        k++;
        decl.push(...names);
        assign = t.t === 'assign';
      } else k = save;
    }
    const cmds: Arg[][] = [];
    for (;;) {
      const args: Arg[] = [];
      for (let a = operand(); a; a = operand()) args.push(a);
      if (args.length === 0) fail('missing value for command');
      cmds.push(args);
      if (peek()?.t !== 'pipe') break;
      k++;
    }
    return { decl, assign, cmds, pos };
  };

  const expect = (t: Tok['t']) => {
    if (peek()?.t !== t) fail(`unexpected ${describeTok(peek())}`);
    k++;
  };

  /** Parses nodes until `{{end}}` or `{{else}}` (returned) or the end of input (when top-level). */
  const list = (top: boolean): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; elseIf: boolean } => {
    const nodes: Node[] = [];
    for (;;) {
      const t = peek();
      if (!t) {
        if (!top) fail('unexpected EOF');
        return { nodes, stop: 'eof', elseIf: false };
      }
      if (t.t === 'text') {
        nodes.push({ kind: 'text', text: t.v });
        k++;
        continue;
      }
      expect('open');
      const w = peek();
      if (w?.t === 'word' && (w.v === 'end' || w.v === 'else')) {
        if (top) fail(`unexpected {{${w.v}}}`);
        k++;
        if (w.v === 'else' && peek()?.t === 'word' && (peek() as { v: string }).v === 'if') return { nodes, stop: 'else', elseIf: true };
        expect('close');
        return { nodes, stop: w.v, elseIf: false };
      }
      if (w?.t === 'word' && (w.v === 'if' || w.v === 'with' || w.v === 'range')) {
        k++;
        nodes.push(block(w.v));
        continue;
      }
      const pipe = pipeline(true);
      expect('close');
      nodes.push({ kind: 'action', pipe });
    }
  };

  const block = (kind: 'if' | 'with' | 'range'): Node => {
    const pipe = pipeline(true);
    expect('close');
    const body = list(false);
    let elseList: Node[] | null = null;
    if (body.stop === 'else') {
      if (body.elseIf) {
        k++; // the `if` of `else if`: an if block inside the else, sharing our {{end}}
        elseList = [block('if')];
      } else {
        const rest = list(false);
        if (rest.stop !== 'end') fail('expected end; found else');
        elseList = rest.nodes;
      }
    }
    return { kind, pipe, list: body.nodes, elseList };
  };

  return list(true).nodes;
}

function describeTok(t: Tok | undefined): string {
  if (!t) return 'EOF';
  return 'v' in t ? `${JSON.stringify(t.v)}` : t.t === 'close' ? '"}}"' : `<${t.t}>`;
}
