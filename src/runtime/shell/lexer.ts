/**
 * The shell's tokens and words, read character by character as busybox ash's readtoken1 does
 * (shell/ash.c): quoting, `$` expansions, backquotes, here-documents gathered at the end of the
 * line. A `$(...)` is parsed where it stands by the parser (the `sub` callback), so its syntax errors
 * are found when the enclosing command is read, as in ash.
 */
import type { Node, ParamOp, Redir, RedirOp, Word, WordPart } from './ast.js';

export class SyntaxError_ extends Error {
  constructor(
    msg: string,
    readonly line: number,
  ) {
    super(msg);
    this.name = 'ShellSyntaxError';
  }
}

export const KEYWORDS = ['!', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while', '{', '}'] as const;
export type Keyword = (typeof KEYWORDS)[number];
export type Op = ';' | '&' | '&&' | '||' | '|' | '(' | ')' | ';;';

export type Tok =
  | { readonly k: 'eof' }
  | { readonly k: 'nl' }
  | { readonly k: 'word'; readonly w: Word }
  | { readonly k: 'kw'; readonly v: Keyword; readonly w: Word }
  | { readonly k: 'op'; readonly v: Op }
  | { readonly k: 'redir'; readonly fd: number; readonly op: RedirOp };

/** How ash names a token in "unexpected ..." (tokname: keywords and operators in double quotes). */
export function tokName(t: Tok): string {
  switch (t.k) {
    case 'eof':
      return 'end of file';
    case 'nl':
      return 'newline';
    case 'redir':
      return 'redirection';
    case 'word':
      return 'word';
    default:
      return `"${t.v}"`;
  }
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMS = '@*#?-$!0123456789';

export function isName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

/** Characters that end an unquoted word. */
function endsWord(c: string): boolean {
  return c === '' || c === ' ' || c === '\t' || c === '\n' || ';&|()<>'.includes(c);
}

/** Builds a word's parts, merging adjacent text of one kind. */
class PartsBuilder {
  readonly parts: WordPart[] = [];
  text(t: 'lit' | 'q', v: string): void {
    const last = this.parts[this.parts.length - 1];
    if (last && last.t === t) this.parts[this.parts.length - 1] = { t, v: last.v + v };
    else this.parts.push({ t, v });
  }
  push(p: WordPart): void {
    this.parts.push(p);
  }
}

export interface PendingHeredoc {
  redir: Redir;
  delim: string;
  strip: boolean;
  quoted: boolean;
}

export class Lexer {
  pos = 0;
  line: number;
  readonly heredocs: PendingHeredoc[] = [];

  constructor(
    readonly src: string,
    firstLine: number,
    /** Parses a command list up to `)` for `$(...)`, from the lexer's position. */
    readonly sub: (lexer: Lexer) => Node | null,
    /** Parses a whole string (a backquoted command). */
    readonly subString: (text: string, line: number) => Node | null,
  ) {
    this.line = firstLine;
  }

  fail(msg: string): never {
    throw new SyntaxError_(`syntax error: ${msg}`, this.line);
  }

  private peek(o = 0): string {
    return this.src[this.pos + o] ?? '';
  }

  /** Skips blanks, line continuations and a comment; stops before a newline. */
  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') {
        this.pos += 2;
        this.line++;
      } else if (c === '#') {
        while (this.peek() !== '' && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  next(): Tok {
    this.skipBlanks();
    const c = this.peek();
    if (c === '') return { k: 'eof' };
    if (c === '\n') {
      this.pos++;
      this.line++;
      this.readHeredocs();
      return { k: 'nl' };
    }
    const two = c + this.peek(1);
    for (const op of ['&&', '||', ';;'] as const)
      if (two === op) {
        this.pos += 2;
        return { k: 'op', v: op };
      }
    if (';&|()'.includes(c)) {
      this.pos++;
      return { k: 'op', v: c as Op };
    }
    if (c === '<' || c === '>') return this.redirOp(c === '<' ? 0 : 1);
    const start = this.pos;
    const w = this.word();
    if (/^\d+$/.test(w.raw) && (this.peek() === '<' || this.peek() === '>') && this.pos - start === w.raw.length)
      return this.redirOp(Number(w.raw));
    return { k: 'word', w };
  }

  private redirOp(fd: number): Tok {
    const three = this.src.slice(this.pos, this.pos + 3);
    const two = three.slice(0, 2);
    let op: RedirOp;
    if (three === '<<-') op = '<<-';
    else if (['<<', '<&', '<>', '>>', '>&', '>|'].includes(two)) op = two as RedirOp;
    else op = this.peek() as RedirOp;
    this.pos += op.length;
    return { k: 'redir', fd, op };
  }

  /** An unquoted word: up to a blank or an operator character. */
  word(): Word {
    const start = this.pos;
    const b = new PartsBuilder();
    for (;;) {
      const c = this.peek();
      if (endsWord(c)) break;
      this.wordChar(b, c);
    }
    return { parts: b.parts, raw: this.src.slice(start, this.pos) };
  }

  /** One character (or construct) of an unquoted word. */
  private wordChar(b: PartsBuilder, c: string): void {
    if (c === '\\') {
      const n = this.peek(1);
      if (n === '\n') {
        this.pos += 2;
        this.line++;
      } else if (n === '') {
        this.pos++;
        b.text('lit', '\\');
      } else {
        this.pos += 2;
        b.text('q', n);
      }
    } else if (c === "'") {
      const end = this.src.indexOf("'", this.pos + 1);
      if (end < 0) this.fail('unterminated quoted string');
      const v = this.src.slice(this.pos + 1, end);
      this.line += v.split('\n').length - 1;
      this.pos = end + 1;
      b.text('q', v);
      if (v === '') b.push({ t: 'q', v: '' });
    } else if (c === '"') {
      this.pos++;
      b.push({ t: 'dq', parts: this.dq('"') });
    } else if (c === '$') {
      this.dollar(b, false);
    } else if (c === '`') {
      b.push(this.backquote(false));
    } else {
      if (c === '\n') this.line++;
      this.pos++;
      b.text('lit', c);
    }
  }

  /** The inside of "...", up to `close` (a double quote, or `}` for a ${...} argument in quotes). */
  private dq(close: string): WordPart[] {
    const b = new PartsBuilder();
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated quoted string');
      if (c === close) {
        this.pos++;
        return b.parts;
      }
      if (c === '\\') {
        const n = this.peek(1);
        if (n === '\n') {
          this.pos += 2;
          this.line++;
        } else if ('$`"\\'.includes(n) && n !== '') {
          this.pos += 2;
          b.text('q', n);
        } else {
          this.pos++;
          b.text('q', '\\');
        }
      } else if (c === '$') this.dollar(b, true);
      else if (c === '`') b.push(this.backquote(true));
      else {
        if (c === '\n') this.line++;
        this.pos++;
        b.text('q', c);
      }
    }
  }

  private dollar(b: PartsBuilder, inDq: boolean): void {
    const n = this.peek(1);
    if (n === '{') {
      this.pos += 2;
      b.push(this.braceParam(inDq));
    } else if (n === '(' && this.peek(2) === '(') {
      this.pos += 3;
      b.push({ t: 'arith', expr: this.arith() });
    } else if (n === '(') {
      this.pos += 2;
      b.push({ t: 'cmd', body: this.sub(this) });
    } else if (NAME_START.test(n)) {
      let e = this.pos + 1;
      while (NAME_CHAR.test(this.src[e] ?? '')) e++;
      b.push({ t: 'param', name: this.src.slice(this.pos + 1, e), op: '', arg: null });
      this.pos = e;
    } else if (n !== '' && SPECIAL_PARAMS.includes(n)) {
      this.pos += 2;
      b.push({ t: 'param', name: n, op: '', arg: null });
    } else {
      this.pos++;
      b.text(inDq ? 'q' : 'lit', '$');
    }
  }

  private braceParam(inDq: boolean): WordPart {
    let length = false;
    if (this.peek() === '#' && this.peek(1) !== '}' && this.peek(1) !== '') {
      const after = this.peek(1);
      if (NAME_START.test(after) || SPECIAL_PARAMS.includes(after)) {
        length = true;
        this.pos++;
      }
    }
    let name: string;
    const c = this.peek();
    if (NAME_START.test(c)) {
      let e = this.pos;
      while (NAME_CHAR.test(this.src[e] ?? '')) e++;
      name = this.src.slice(this.pos, e);
      this.pos = e;
    } else if (/\d/.test(c)) {
      let e = this.pos;
      while (/\d/.test(this.src[e] ?? '')) e++;
      name = this.src.slice(this.pos, e);
      this.pos = e;
    } else if (c !== '' && SPECIAL_PARAMS.includes(c)) {
      name = c;
      this.pos++;
    } else {
      if (c === '') this.fail("missing '}'");
      this.fail('bad substitution');
    }
    if (this.peek() === '}') {
      this.pos++;
      return { t: 'param', name, op: '', arg: null, length };
    }
    if (length) this.fail('bad substitution');
    const ops: ParamOp[] = [':-', ':=', ':?', ':+', '##', '%%', '-', '=', '?', '+', '#', '%'];
    const op = ops.find((o) => this.src.startsWith(o, this.pos));
    if (!op) {
      if (this.peek() === '') this.fail("missing '}'");
      this.fail('bad substitution');
    }
    this.pos += op.length;
    const arg = this.braceArg(inDq);
    return { t: 'param', name, op, arg };
  }

  /** The word in ${name op word}, up to the matching `}`. */
  private braceArg(inDq: boolean): Word {
    const start = this.pos;
    if (inDq) {
      // Inside "...", the argument is read as double-quoted text (quotes in it still pair up).
      const b = new PartsBuilder();
      for (;;) {
        const c = this.peek();
        if (c === '') this.fail("missing '}'");
        if (c === '}') break;
        if (c === '"') {
          this.pos++;
          for (const p of this.dq('"')) b.push(p);
        } else if (c === "'") {
          b.text('q', "'");
          this.pos++;
        } else {
          const inner = this.dqOne();
          for (const p of inner) b.push(p);
        }
      }
      this.pos++;
      return { parts: [{ t: 'dq', parts: b.parts }], raw: this.src.slice(start, this.pos - 1) };
    }
    const b = new PartsBuilder();
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail("missing '}'");
      if (c === '}') break;
      this.wordChar(b, c);
    }
    this.pos++;
    return { parts: b.parts, raw: this.src.slice(start, this.pos - 1) };
  }

  /** One unit of double-quoted text (a char, an escape, an expansion). */
  private dqOne(): WordPart[] {
    const b = new PartsBuilder();
    const c = this.peek();
    if (c === '\\') {
      const n = this.peek(1);
      if ('$`"\\}'.includes(n) && n !== '') {
        this.pos += 2;
        b.text('q', n);
      } else {
        this.pos++;
        b.text('q', '\\');
      }
    } else if (c === '$') this.dollar(b, true);
    else if (c === '`') b.push(this.backquote(true));
    else {
      if (c === '\n') this.line++;
      this.pos++;
      b.text('q', c);
    }
    return b.parts;
  }

  /** $((...)): text up to the matching `))`, expanded as in double quotes. */
  private arith(): Word {
    const start = this.pos;
    const b = new PartsBuilder();
    let depth = 0;
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unexpected end of file (expecting ")")');
      if (c === ')' && depth === 0) {
        if (this.peek(1) !== ')') this.fail('unexpected ")"');
        this.pos += 2;
        return { parts: b.parts, raw: this.src.slice(start, this.pos - 2) };
      }
      if (c === '(') depth++;
      if (c === ')') depth--;
      if (c === '"') {
        this.pos++;
        for (const p of this.dq('"')) b.push(p);
        continue;
      }
      for (const p of this.dqOne()) b.push(p);
    }
  }

  /** `...`: the text with \$ \` \\ (and \" in double quotes) unescaped, parsed as a script. */
  private backquote(inDq: boolean): WordPart {
    const line = this.line;
    this.pos++;
    let text = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('EOF in backquote substitution');
      if (c === '`') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        const n = this.peek(1);
        if (n === '$' || n === '`' || n === '\\' || (inDq && n === '"')) {
          text += n;
          this.pos += 2;
          continue;
        }
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
      }
      if (c === '\n') this.line++;
      text += c;
      this.pos++;
    }
    return { t: 'cmd', body: this.subString(text, line) };
  }

  /** An unquoted here-document's body: `$` and backquotes expand, \\ escapes only $ ` \\ and newline. */
  heredocBody(): Word {
    const b = new PartsBuilder();
    for (;;) {
      const c = this.peek();
      if (c === '') break;
      if (c === '\\') {
        const n = this.peek(1);
        if (n === '$' || n === '`' || n === '\\') {
          b.text('q', n);
          this.pos += 2;
        } else if (n === '\n') this.pos += 2;
        else {
          b.text('q', '\\');
          this.pos++;
        }
      } else if (c === '$') this.dollar(b, true);
      else if (c === '`') b.push(this.backquote(false));
      else {
        b.text('q', c);
        this.pos++;
      }
    }
    return { parts: [{ t: 'dq', parts: b.parts }], raw: this.src };
  }

  /** After a newline: the bodies of the here-documents of the line just read, in order. */
  readHeredocs(): void {
    for (const h of this.heredocs.splice(0)) {
      const lines: string[] = [];
      while (this.pos < this.src.length) {
        const nl = this.src.indexOf('\n', this.pos);
        const end = nl < 0 ? this.src.length : nl;
        let text = this.src.slice(this.pos, end);
        this.pos = nl < 0 ? end : end + 1;
        this.line++;
        if (h.strip) text = text.replace(/^\t+/, '');
        if (text === h.delim) break;
        lines.push(nl < 0 ? text : text + '\n');
      }
      h.redir.heredoc = { body: lines.join(''), quoted: h.quoted };
    }
  }
}
