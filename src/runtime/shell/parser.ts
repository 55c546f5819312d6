/**
 * A recursive-descent parser for the POSIX shell language, following busybox ash's list(), andor(),
 * pipeline(), command() and simplecmd() (shell/ash.c, from dash) so that what it accepts, and the
 * "syntax error: unexpected ..." it reports, are ash's. Like ash's evalstring, it hands out one
 * top-level command line at a time: a script runs up to the line whose syntax is wrong.
 */
import type { Assign, CaseArm, Node, Redir, Word } from './ast.js';
import { Lexer, SyntaxError_, isName, tokName, type Keyword, type Tok } from './lexer.js';

export { SyntaxError_ as ShellSyntaxError } from './lexer.js';

/** Tokens that end a list (ash's tokendlist). */
const END_TOKENS = new Set<string>([')', ';;', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'then', '}']);

interface ReadOpts {
  kw?: boolean;
  nl?: boolean;
}

export class Parser {
  private lx: Lexer;
  private pushed: Tok | null = null;
  private last: Tok = { k: 'nl' };

  constructor(src: string, firstLine = 1) {
    this.lx = new Lexer(
      src,
      firstLine,
      (lx) => this.subst(lx),
      (text, line) => new Parser(text, line).parseAll(),
    );
  }

  get line(): number {
    return this.lx.line;
  }

  /** The next top-level command line; null at the end. `eof` is set when the script ends with it. */
  next(): { node: Node | null; eof: boolean } | null {
    const node = this.list(1);
    const eof = this.last.k === 'eof';
    if (node === null && eof) return null;
    return { node, eof };
  }

  /** The words of an unquoted here-document's body, to expand when the command runs. */
  static heredoc(body: string): Word {
    return new Parser(body).lx.heredocBody();
  }

  /** The whole text as one tree (for `$(...)` in backquotes, `eval` does it line by line). */
  parseAll(): Node | null {
    const items: Node[] = [];
    for (let r = this.next(); r; r = this.next()) if (r.node) items.push(r.node);
    if (items.length === 0) return null;
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  // --- tokens ---------------------------------------------------------------------------------------

  private read(o: ReadOpts = {}): Tok {
    let t: Tok;
    if (this.pushed) {
      t = this.pushed;
      this.pushed = null;
    } else t = this.lx.next();
    if (o.nl) while (t.k === 'nl') t = this.lx.next();
    if (o.kw && t.k === 'word' && isKeywordWord(t.w)) t = { k: 'kw', v: t.w.raw as Keyword, w: t.w };
    this.last = t;
    return t;
  }
  private unread(): void {
    this.pushed = this.last;
  }
  private unexpected(expecting?: string): never {
    throw new SyntaxError_(
      `syntax error: unexpected ${tokName(this.last)}${expecting ? ` (expecting ${expecting})` : ''}`,
      this.lx.line,
    );
  }
  private fail(msg: string): never {
    throw new SyntaxError_(`syntax error: ${msg}`, this.lx.line);
  }
  private is(t: Tok, v: string): boolean {
    return (t.k === 'kw' || t.k === 'op') && t.v === v;
  }

  // --- grammar --------------------------------------------------------------------------------------

  /** ash list(nlflag): 1 at top level (ends at a newline), 0 in a compound command, 2 for a case arm. */
  private list(nlflag: 0 | 1 | 2): Node | null {
    const chknl = (nlflag & 1) === 0;
    let flag = nlflag as number;
    const items: Node[] = [];
    const done = () => (items.length === 0 ? null : items.length === 1 ? items[0]! : ({ type: 'seq', items } as Node));
    for (;;) {
      const t = this.read({ kw: true, nl: chknl });
      if (t.k === 'nl') return done();
      if (t.k === 'eof') {
        this.unread();
        return done();
      }
      this.unread();
      if (flag === 2 && (t.k === 'kw' || t.k === 'op') && END_TOKENS.has(t.v)) return done();
      flag |= 2;
      let n = this.andor();
      const sep = this.read();
      if (this.is(sep, '&')) n = { type: 'bg', body: n };
      items.push(n);
      if (sep.k === 'eof') {
        this.unread();
        return done();
      }
      if (sep.k === 'nl') {
        this.unread();
        continue;
      }
      if (this.is(sep, '&') || this.is(sep, ';')) continue;
      if (!chknl) this.unexpected();
      this.unread();
      return done();
    }
  }

  /**
   * A compound command's list. It is empty only at the end of the text, where the keyword the
   * caller expects next is missing and its check reports it (ash: `unexpected end of file
   * (expecting "fi")`).
   */
  private body(): Node {
    return this.list(0) ?? { type: 'seq', items: [] };
  }

  private andor(): Node {
    let n = this.pipeline();
    for (;;) {
      const t = this.read();
      const type = this.is(t, '&&') ? 'and' : this.is(t, '||') ? 'or' : null;
      if (!type) {
        this.unread();
        return n;
      }
      const right = this.pipeline(true);
      n = { type, left: n, right };
    }
  }

  private pipeline(skipNl = false): Node {
    let bang = false;
    let t = this.read({ kw: true, nl: skipNl });
    if (this.is(t, '!')) {
      // ash 1.35 takes one `!`; a second is a syntax error (`unexpected "!"`).
      bang = true;
      t = this.read({ kw: true });
      if (this.is(t, '!')) this.unexpected();
    }
    this.unread();
    const cmds = [this.command()];
    while (this.is(this.read(), '|')) {
      this.read({ kw: true, nl: true });
      this.unread();
      cmds.push(this.command());
    }
    this.unread();
    if (cmds.length === 1 && !bang) return cmds[0]!;
    return { type: 'pipe', cmds, bang };
  }

  private command(): Node {
    const t = this.read({ kw: true });
    const line = this.lx.line;
    let n: Node;
    if (this.is(t, 'if')) n = this.ifCmd();
    else if (this.is(t, 'while') || this.is(t, 'until')) {
      const cond = this.body();
      if (!this.is(this.read({ kw: true }), 'do')) this.unexpected('"do"');
      const body = this.body();
      this.expect('done');
      n = { type: (t as { v: string }).v as 'while' | 'until', cond, body, redirs: [] };
    } else if (this.is(t, 'for')) n = this.forCmd(line);
    else if (this.is(t, 'case')) n = this.caseCmd(line);
    else if (this.is(t, '(')) {
      const body = this.body();
      this.expect(')');
      n = { type: 'subshell', body, redirs: [] };
    } else if (this.is(t, '{')) {
      const body = this.body();
      this.expect('}');
      n = { type: 'group', body, redirs: [] };
    } else if (t.k === 'word' || t.k === 'redir') {
      this.unread();
      return this.simple();
    } else this.unexpected();
    const redirs: Redir[] = [];
    for (let r = this.read({ kw: true }); r.k === 'redir'; r = this.read({ kw: true })) redirs.push(this.redirect(r));
    this.unread();
    return redirs.length ? ({ ...n, redirs } as Node) : n;
  }

  private expect(v: string): void {
    if (!this.is(this.read({ kw: true }), v)) this.unexpected(`"${v}"`);
  }

  private ifCmd(): Node {
    const cond = this.body();
    if (!this.is(this.read({ kw: true }), 'then')) this.unexpected('"then"');
    const then = this.body();
    const t = this.read({ kw: true });
    let els: Node | null = null;
    if (this.is(t, 'elif')) {
      els = this.ifCmd();
      return { type: 'if', cond, then, else: els, redirs: [] };
    }
    if (this.is(t, 'else')) els = this.body();
    else this.unread();
    this.expect('fi');
    return { type: 'if', cond, then, else: els, redirs: [] };
  }

  private forCmd(line: number): Node {
    const v = this.read();
    if (v.k !== 'word' || !isName(v.w.raw)) this.fail('bad for loop variable');
    let items: Word[] | null = null;
    let t = this.read({ kw: true, nl: true });
    if (this.is(t, 'in')) {
      items = [];
      for (t = this.read(); t.k === 'word'; t = this.read()) items.push(t.w);
      if (t.k !== 'nl' && !this.is(t, ';')) this.unexpected();
    } else if (!this.is(t, ';')) this.unread();
    if (!this.is(this.read({ kw: true, nl: true }), 'do')) this.unexpected('"do"');
    const body = this.body();
    this.expect('done');
    return { type: 'for', line, name: v.w.raw, items, body, redirs: [] };
  }

  private caseCmd(line: number): Node {
    const w = this.read();
    if (w.k !== 'word') this.unexpected('word');
    if (!this.is(this.read({ kw: true, nl: true }), 'in')) this.unexpected('"in"');
    const arms: CaseArm[] = [];
    let t = this.read({ kw: true, nl: true });
    while (!this.is(t, 'esac')) {
      if (this.is(t, '(')) t = this.read();
      const patterns: Word[] = [];
      for (;;) {
        if (t.k !== 'word' && t.k !== 'kw') this.unexpected('word');
        patterns.push(t.w);
        t = this.read();
        if (!this.is(t, '|')) break;
        t = this.read();
      }
      if (!this.is(t, ')')) this.unexpected('")"');
      const body = this.list(2);
      arms.push({ patterns, body });
      t = this.read({ kw: true, nl: true });
      if (this.is(t, 'esac')) break;
      if (!this.is(t, ';;')) this.unexpected('";;"');
      t = this.read({ kw: true, nl: true });
    }
    return { type: 'case', line, word: w.w, arms, redirs: [] };
  }

  private simple(): Node {
    const line = this.lx.line;
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    for (;;) {
      const t = this.read();
      if (t.k === 'word' || t.k === 'kw') {
        const a = words.length === 0 ? asAssignment(t.w) : null;
        if (a) assigns.push(a);
        else words.push(t.w);
      } else if (t.k === 'redir') redirs.push(this.redirect(t));
      else if (this.is(t, '(') && words.length === 1 && assigns.length === 0 && redirs.length === 0) {
        if (!this.is(this.read(), ')')) this.unexpected('")"');
        const name = words[0]!.raw;
        if (!isName(name)) this.fail('bad function name');
        this.read({ kw: true, nl: true });
        this.unread();
        return { type: 'func', line, name, body: this.command() };
      } else {
        this.unread();
        break;
      }
    }
    return { type: 'simple', line, assigns, words, redirs };
  }

  private redirect(t: Tok & { k: 'redir' }): Redir {
    const target = this.read();
    if (target.k !== 'word' && target.k !== 'kw') this.unexpected();
    const redir: Redir = { fd: t.fd, op: t.op, target: target.w };
    if (t.op === '<<' || t.op === '<<-') {
      const quoted = /["'\\]/.test(target.w.raw);
      const delim = quoted ? unquote(target.w.raw) : target.w.raw;
      this.lx.heredocs.push({ redir, delim, strip: t.op === '<<-', quoted });
    }
    return redir;
  }

  /** `$(` ... `)`: a list parsed in place, then its closing parenthesis. */
  private subst(lx: Lexer): Node | null {
    const saved = { pushed: this.pushed, last: this.last };
    this.pushed = null;
    if (lx !== this.lx) throw new Error('nested lexer');
    const body = this.list(2);
    const t = this.read({ nl: true });
    if (!this.is(t, ')')) this.unexpected('")"');
    this.pushed = saved.pushed;
    this.last = saved.last;
    return body;
  }
}

function isKeywordWord(w: Word): boolean {
  const p = w.parts[0];
  return w.parts.length === 1 && p !== undefined && p.t === 'lit' && KEYWORD_SET.has(p.v);
}
const KEYWORD_SET = new Set(['!', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while', '{', '}']);

/** NAME=value with NAME unquoted: an assignment word. */
function asAssignment(w: Word): Assign | null {
  const first = w.parts[0];
  if (!first || first.t !== 'lit') return null;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.v);
  if (!m) return null;
  const restText = first.v.slice(m[0].length);
  const parts = [...(restText ? [{ t: 'lit' as const, v: restText }] : []), ...w.parts.slice(1)];
  return { name: m[1]!, value: { parts, raw: w.raw.slice(m[0].length) } };
}

/** A here-document delimiter with its quoting removed. */
function unquote(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) out += raw[++i];
    else if (c !== '"' && c !== "'") out += c;
  }
  return out;
}
