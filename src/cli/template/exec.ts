/**
 * Executes a parsed Go template on JSON-shaped data, printing values as Go's fmt `%v` prints the
 * decoded JSON (`[a b]`, `map[k:v]` with sorted keys, `<nil>`), with text/template's builtins and the
 * docker CLI's own functions (docker/cli templates/templates.go: json, split, join, title, lower,
 * upper, pad, truncate). Go structs print as `{...}` in field order; boxlab's data are plain objects,
 * so a whole struct prints as a map: use `json` for those, as Docker's documentation does.
 */
import { parseTemplate, TemplateError, type Arg, type Node, type Pipe } from './parse.js';

/** Docker's formatter row contexts marshal through json.Marshal, which escapes <, > and & (`\u003cnone\u003e`). */
export const ESCAPE_HTML = Symbol('escapeHtml');

const NO_VALUE = Symbol('no value');
type Value = unknown;

export interface TemplateOptions {
  /** `error`: a missing map key fails, as `docker inspect --format` does (its raw-JSON fallback). */
  missingKey?: 'default' | 'error';
}

export function executeTemplate(src: string, data: unknown, opts: TemplateOptions = {}): string {
  const nodes = parseTemplate(src);
  const out: string[] = [];
  new Exec(src, data, opts.missingKey ?? 'default', out).list(nodes, data, [{ name: '$', value: data }]);
  return out.join('');
}

/** Parses only: a bad template is refused before any work, as the docker CLI does. */
export function checkTemplate(src: string): void {
  parseTemplate(src);
}

type Scope = { name: string; value: Value }[];

function truth(v: Value): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** fmt's %v of a decoded JSON value. */
export function printValue(v: Value): string {
  if (v === NO_VALUE || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printElem).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, Value>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${printElem(o[k])}`).join(' ')}]`;
  }
  return String(v);
}
const printElem = (v: Value) => (v === null || v === NO_VALUE ? '<nil>' : printValue(v));

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // strconv 'g' with the shortest precision, as %v prints a float64
  const s = String(n);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

/** Go's encoding/json of a decoded value, trailing newline removed; `<>&` escaped when asked. */
function goJson(v: Value, escapeHtml: boolean): string {
  const s = JSON.stringify(v === NO_VALUE || v === undefined ? null : v) ?? 'null';
  const u = s.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return escapeHtml ? u.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026') : u;
}

const str = (v: Value, fn: string): string => {
  if (typeof v !== 'string') throw new TemplateError(`wrong type for value; expected string; got ${goType(v)} in call to ${fn}`);
  return v;
};
const int = (v: Value, fn: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TemplateError(`wrong type for value; expected int; got ${goType(v)} in call to ${fn}`);
  return v;
};
function goType(v: Value): string {
  if (v === null || v === NO_VALUE) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  return typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float64') : typeof v === 'boolean' ? 'bool' : 'string';
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: Value[]): string {
  let s = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') s += ' ';
    s += printValue(a);
  });
  return s;
}

/** A subset of fmt.Sprintf: %v %s %d %q %x %t %% with flags, width and precision. */
function sprintf(format: string, args: Value[]): string {
  let n = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([vsdqxXt%])/g, (_, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    const a = args[n++];
    let s: string;
    if (verb === 'q') s = JSON.stringify(typeof a === 'string' ? a : printValue(a));
    else if (verb === 'x' || verb === 'X') s = typeof a === 'number' ? a.toString(16) : Buffer.from(printValue(a)).toString('hex');
    else s = printValue(a);
    if (verb === 'X') s = s.toUpperCase();
    if (prec !== undefined && (verb === 's' || verb === 'v')) s = [...s].slice(0, Number(prec)).join('');
    const w = Number(width ?? 0);
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb === 'd' ? '0' : ' ');
    return s;
  });
}

function eq(a: Value, b: Value): boolean {
  if (typeof a === 'object' && a !== null) throw new TemplateError('error calling eq: incompatible types for comparison');
  return a === b;
}

function compare(fn: string, a: Value, b: Value): number {
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) throw new TemplateError(`error calling ${fn}: incompatible types for comparison`);
  return (a as number | string) < (b as number | string) ? -1 : (a as number | string) > (b as number | string) ? 1 : 0;
}

function indexOf(v: Value, keys: Value[]): Value {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur)) {
      const i = int(k, 'index');
      if (i < 0 || i >= cur.length) throw new TemplateError(`error calling index: index out of range: ${i}`);
      cur = cur[i];
    } else if (cur && typeof cur === 'object') cur = (cur as Record<string, Value>)[str(k, 'index')] ?? NO_VALUE;
    else throw new TemplateError(`error calling index: can't index item of type ${goType(cur)}`);
  }
  return cur;
}

/** Go's strings.Title: the first letter of each word (after a space or punctuation) upper-cased. */
const title = (s: string) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase());

const FUNCS: Record<string, (args: Value[], escapeHtml: boolean) => Value> = {
  and: (a) => a.find((x) => !truth(x)) ?? a[a.length - 1],
  or: (a) => a.find((x) => truth(x)) ?? a[a.length - 1],
  not: (a) => !truth(a[0]),
  len: ([v]) => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError(`error calling len: len of type ${goType(v)}`);
  },
  index: ([v, ...k]) => indexOf(v, k),
  slice: ([v, i, j]) => (typeof v === 'string' || Array.isArray(v) ? v.slice(int(i ?? 0, 'slice'), j === undefined ? undefined : int(j, 'slice')) : NO_VALUE),
  print: (a) => sprint(a),
  printf: ([f, ...a]) => sprintf(str(f, 'printf'), a),
  println: (a) => `${a.map(printValue).join(' ')}\n`,
  eq: ([a, ...b]) => b.some((x) => eq(a, x)),
  ne: ([a, b]) => !eq(a, b),
  lt: ([a, b]) => compare('lt', a, b) < 0,
  le: ([a, b]) => compare('le', a, b) <= 0,
  gt: ([a, b]) => compare('gt', a, b) > 0,
  ge: ([a, b]) => compare('ge', a, b) >= 0,
  // docker/cli templates.basicFunctions
  json: ([v], esc) => goJson(v, esc || !!(v && typeof v === 'object' && ESCAPE_HTML in v)),
  split: ([s, sep]) => str(s, 'split').split(str(sep, 'split')),
  join: ([a, sep]) => {
    if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) throw new TemplateError(`wrong type for value; expected []string; got ${goType(a)}`);
    return a.join(str(sep, 'join'));
  },
  title: ([s]) => title(str(s, 'title')),
  lower: ([s]) => str(s, 'lower').toLowerCase(),
  upper: ([s]) => str(s, 'upper').toUpperCase(),
  pad: ([s, pre, post]) => (str(s, 'pad') === '' ? '' : ' '.repeat(int(pre, 'pad')) + (s as string) + ' '.repeat(int(post, 'pad'))),
  truncate: ([s, n]) => (Buffer.byteLength(str(s, 'truncate')) < int(n, 'truncate') ? s : Buffer.from(s as string).subarray(0, n as number).toString()),
};

class Exec {
  constructor(
    private readonly src: string,
    private readonly root: unknown,
    private readonly missingKey: 'default' | 'error',
    private readonly out: string[],
  ) {}

  private where(pos: number, what: string): string {
    const before = this.src.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    return `template: :${line}:${col}: executing "" at <${what}>`;
  }

  list(nodes: Node[], dot: Value, scope: Scope): void {
    const mark = scope.length;
    for (const n of nodes) {
      if (n.kind === 'text') this.out.push(n.text);
      else if (n.kind === 'action') {
        const v = this.pipe(n.pipe, dot, scope);
        if (n.pipe.decl.length === 0) this.out.push(printValue(v));
      } else this.block(n, dot, scope);
    }
    scope.length = mark;
  }

  private block(n: Extract<Node, { kind: 'if' | 'with' | 'range' }>, dot: Value, scope: Scope): void {
    const mark = scope.length;
    if (n.kind === 'range') {
      const v = this.pipe({ ...n.pipe, decl: [] }, dot, scope);
      const items: [Value, Value][] = Array.isArray(v)
        ? v.map((x, i) => [i, x])
        : v && typeof v === 'object'
          ? Object.keys(v).sort().map((k) => [k, (v as Record<string, Value>)[k]])
          : typeof v === 'number' ? Array.from({ length: v }, (_, i) => [i, i]) : [];
      if (!(v === null || v === NO_VALUE || Array.isArray(v) || typeof v === 'object' || typeof v === 'number'))
        throw new TemplateError(`${this.where(n.pipe.pos, 'range')}: range can't iterate over ${printValue(v)}`);
      for (const [k, x] of items) {
        const [a, b] = n.pipe.decl;
        if (b !== undefined) scope.push({ name: a!, value: k }, { name: b, value: x });
        else if (a !== undefined) scope.push({ name: a, value: x });
        this.list(n.list, x, scope);
        scope.length = mark;
      }
      if (items.length === 0 && n.elseList) this.list(n.elseList, dot, scope);
      return;
    }
    const v = this.pipe(n.pipe, dot, scope);
    if (truth(v)) this.list(n.list, n.kind === 'with' ? v : dot, scope);
    else if (n.elseList) this.list(n.elseList, dot, scope);
    scope.length = mark;
  }

  private pipe(p: Pipe, dot: Value, scope: Scope): Value {
    let v: Value = NO_VALUE;
    p.cmds.forEach((cmd, i) => {
      v = this.command(cmd, dot, scope, i > 0 ? [v] : []);
    });
    for (const name of p.decl) {
      if (p.assign) {
        const s = [...scope].reverse().find((e) => e.name === name);
        if (!s) throw new TemplateError(`${this.where(p.pos, name)}: undefined variable: ${name}`);
        s.value = v;
      } else scope.push({ name, value: v });
    }
    return v;
  }

  private command(cmd: Arg[], dot: Value, scope: Scope, final: Value[]): Value {
    const [first, ...rest] = cmd;
    if (first!.kind === 'ident') {
      const fn = FUNCS[first!.name];
      if (!fn) throw new TemplateError(`template: :1: function "${first!.name}" not defined`);
      const args = [...rest.map((a) => this.arg(a, dot, scope)), ...final];
      try {
        return fn(args, false);
      } catch (e) {
        if (e instanceof TemplateError && !e.message.startsWith('template:')) throw new TemplateError(`${this.where(first!.pos, first!.name)}: ${e.message}`);
        throw e;
      }
    }
    if (rest.length || final.length) throw new TemplateError(`${this.where(first!.pos, 'arg')}: can't give argument to non-function`);
    return this.arg(first!, dot, scope);
  }

  private arg(a: Arg, dot: Value, scope: Scope): Value {
    switch (a.kind) {
      case 'literal':
        return a.value;
      case 'dot':
        return dot;
      case 'field':
        return this.chain(dot, a.chain, a.pos);
      case 'var': {
        const s = [...scope].reverse().find((e) => e.name === a.name);
        if (!s) throw new TemplateError(`template: :1: undefined variable "${a.name}"`);
        return this.chain(s.value, a.chain, a.pos);
      }
      case 'pipe':
        return this.chain(this.pipe(a.pipe, dot, scope), a.chain, a.pos);
      case 'ident':
        return this.command([a], dot, scope, []);
    }
  }

  private chain(v: Value, names: string[], pos: number): Value {
    let cur = v;
    for (const [i, name] of names.entries()) {
      const shown = `.${names.slice(0, i + 1).join('.')}`;
      if (cur === null || cur === NO_VALUE || cur === undefined) throw new TemplateError(`${this.where(pos, shown)}: nil pointer evaluating interface {}.${name}`);
      if (typeof cur !== 'object' || Array.isArray(cur)) throw new TemplateError(`${this.where(pos, shown)}: can't evaluate field ${name} in type ${goType(cur)}`);
      const o = cur as Record<string, Value>;
      if (Object.prototype.hasOwnProperty.call(o, name)) cur = o[name];
      else if (this.missingKey === 'error') throw new TemplateError(`${this.where(pos, shown)}: map has no entry for key "${name}"`);
      else cur = NO_VALUE;
    }
    return cur;
  }
}
