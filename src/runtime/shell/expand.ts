/**
 * Word expansion in POSIX order (2.6): tilde, parameters, command substitution and arithmetic,
 * then field splitting on IFS, pathname expansion, quote removal. Text is carried as segments that
 * remember whether they were quoted (never split or globbed) and whether they came from an unquoted
 * expansion (split on IFS), which is all the later steps need.
 */
import type { FileSystem } from '../program.js';
import { ArithError, evalArith } from './arith.js';
import type { Node, ParamOp, Word, WordPart } from './ast.js';
import { glob, hasGlob, trimPattern, type PChar } from './glob.js';
import type { Vars } from './vars.js';
import { ReadonlyError } from './vars.js';

export class ShellError extends Error {
  constructor(
    message: string,
    readonly status = 2,
  ) {
    super(message);
    this.name = 'ShellError';
  }
}

export interface ExpandHost {
  readonly vars: Vars;
  readonly params: readonly string[];
  readonly arg0: string;
  readonly status: number;
  readonly lastBg: number | undefined;
  readonly pid: number;
  readonly optFlags: string;
  readonly nounset: boolean;
  readonly noglob: boolean;
  readonly fs: FileSystem;
  /** Runs $(...) and gives its output (trailing newlines kept; the caller strips them). */
  commandSubst(body: Node | null): Promise<string>;
}

type Seg = { s: string; q: boolean; split: boolean } | { brk: true };

const DEFAULT_IFS = ' \t\n';

export class Expander {
  constructor(private readonly h: ExpandHost) {}

  /** Full expansion into fields (a command's arguments, `for` words). */
  async fields(words: readonly Word[]): Promise<string[]> {
    const out: string[] = [];
    for (const w of words) {
      const segs = await this.segments(w.parts, false, true);
      for (const field of this.split(segs)) {
        const chars = field.chars;
        if (!this.h.noglob && hasGlob(chars)) {
          const found = await glob(this.h.fs, chars);
          if (found.length > 0) {
            out.push(...found);
            continue;
          }
        }
        out.push(chars.map((c) => c.c).join(''));
      }
    }
    return out;
  }

  /** One string, no splitting or globbing: assignments, redirection targets, here-documents, case words. */
  async string(w: Word): Promise<string> {
    const segs = await this.segments(w.parts, false, true);
    return segs.map((s) => ('brk' in s ? ' ' : s.s)).join('');
  }

  /** A pattern (case, ${x#...}): quoted characters are marked literal. */
  async pattern(w: Word): Promise<PChar[]> {
    const segs = await this.segments(w.parts, false, false);
    const out: PChar[] = [];
    for (const s of segs) {
      if ('brk' in s) out.push({ c: ' ', q: true });
      else for (const c of s.s) out.push({ c, q: s.q });
    }
    return out;
  }

  private async segments(parts: readonly WordPart[], inDq: boolean, tilde: boolean): Promise<Seg[]> {
    const out: Seg[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      switch (p.t) {
        case 'lit': {
          let v = p.v;
          if (i === 0 && tilde && !inDq && v.startsWith('~')) v = this.tilde(v);
          out.push({ s: v, q: inDq, split: false });
          break;
        }
        case 'q':
          out.push({ s: p.v, q: true, split: false });
          break;
        case 'dq': {
          const inner = await this.segments(p.parts, true, false);
          const onlyAt = p.parts.length === 1 && p.parts[0]!.t === 'param' && p.parts[0]!.name === '@' && !p.parts[0]!.op;
          if (!onlyAt) out.push({ s: '', q: true, split: false });
          out.push(...inner);
          break;
        }
        case 'param':
          out.push(...(await this.param(p, inDq)));
          break;
        case 'cmd': {
          const text = (await this.h.commandSubst(p.body)).replace(/\n+$/, '');
          out.push({ s: text, q: inDq, split: !inDq });
          break;
        }
        case 'arith': {
          const text = await this.string(p.expr);
          let v: bigint;
          try {
            v = evalArith(text, this.arithVars());
          } catch (e) {
            if (e instanceof ArithError) throw new ShellError(e.message);
            throw e;
          }
          out.push({ s: String(v), q: inDq, split: !inDq });
          break;
        }
      }
    }
    return out;
  }

  private arithVars() {
    return {
      get: (n: string) => this.h.vars.get(n),
      set: (n: string, v: string) => this.assign(n, v),
    };
  }

  private assign(name: string, value: string): void {
    try {
      this.h.vars.set(name, value);
    } catch (e) {
      if (e instanceof ReadonlyError) throw new ShellError(e.message);
      throw e;
    }
  }

  private tilde(v: string): string {
    const slash = v.indexOf('/');
    const user = slash < 0 ? v.slice(1) : v.slice(1, slash);
    if (user !== '') return v; // ~user needs the passwd database; left as written
    const home = this.h.vars.get('HOME') ?? '';
    return home + (slash < 0 ? '' : v.slice(slash));
  }

  /** The value of a parameter: undefined when unset. */
  private value(name: string): string | undefined {
    const h = this.h;
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      return n === 0 ? h.arg0 : h.params[n - 1];
    }
    switch (name) {
      case '?':
        return String(h.status);
      case '$':
        return String(h.pid);
      case '!':
        return h.lastBg === undefined ? undefined : String(h.lastBg);
      case '#':
        return String(h.params.length);
      case '-':
        return h.optFlags;
      case '@':
      case '*':
        return h.params.length ? h.params.join(' ') : undefined;
      default:
        return h.vars.get(name);
    }
  }

  private async param(p: WordPart & { t: 'param' }, inDq: boolean): Promise<Seg[]> {
    const { name, op } = p;
    const h = this.h;
    if (p.length) {
      const v = name === '@' || name === '*' ? String(h.params.length) : this.value(name);
      if (v === undefined && h.nounset && !'@*#?$!-'.includes(name)) throw new ShellError(`${name}: parameter not set`);
      return [{ s: String([...(v ?? '')].length), q: inDq, split: !inDq }];
    }
    let v = this.value(name);
    const set = v !== undefined && !((op === ':-' || op === ':=' || op === ':?' || op === ':+') && v === '');
    switch (op) {
      case '-':
      case ':-':
        if (!set) return this.segments(p.arg!.parts, inDq, true);
        break;
      case '=':
      case ':=':
        if (!set) {
          if (!/^[A-Za-z_]/.test(name)) throw new ShellError(`${name}: bad variable name`);
          v = await this.string(p.arg!);
          this.assign(name, v);
          return [{ s: v, q: inDq, split: !inDq }];
        }
        break;
      case '?':
      case ':?':
        if (!set) {
          const msg = p.arg && p.arg.parts.length ? await this.string(p.arg) : op === '?' ? 'parameter not set' : 'parameter not set or null';
          throw new ShellError(`${name}: ${msg}`);
        }
        break;
      case '+':
      case ':+':
        if (set) return this.segments(p.arg!.parts, inDq, true);
        return [];
      case '#':
      case '##':
      case '%':
      case '%%': {
        this.checkUnset(name, v);
        const pat = await this.pattern(p.arg!);
        return [{ s: trimPattern(v ?? '', pat, op), q: inDq, split: !inDq }];
      }
    }
    this.checkUnset(name, v);
    if (name === '@' || name === '*') return this.positional(name, inDq);
    return v === undefined ? [] : [{ s: v, q: inDq, split: !inDq }];
  }

  private checkUnset(name: string, v: string | undefined): void {
    if (v === undefined && this.h.nounset && !'@*!'.includes(name)) throw new ShellError(`${name}: parameter not set`);
  }

  /** $@ and $*: "$@" is one field per parameter; "$*" one field joined by IFS's first character. */
  private positional(name: '@' | '*', inDq: boolean): Seg[] {
    const ps = this.h.params;
    if (inDq && name === '*') {
      const ifs = this.h.vars.get('IFS') ?? DEFAULT_IFS;
      return [{ s: ps.join(ifs.slice(0, 1)), q: true, split: false }];
    }
    const out: Seg[] = [];
    ps.forEach((s, i) => {
      if (i > 0) out.push({ brk: true });
      out.push({ s, q: inDq, split: !inDq });
    });
    return out;
  }

  /** Field splitting (2.6.5) of segments into fields of characters marked quoted or not. */
  private split(segs: Seg[]): { chars: PChar[] }[] {
    const ifs = this.h.vars.get('IFS') ?? DEFAULT_IFS;
    const ifsWhite = [...ifs].filter((c) => c === ' ' || c === '\t' || c === '\n').join('');
    const fields: { chars: PChar[]; keep: boolean }[] = [];
    let cur: { chars: PChar[]; keep: boolean } | null = null;
    const start = () => (cur ??= { chars: [], keep: false });
    const end = () => {
      if (cur && (cur.chars.length > 0 || cur.keep)) fields.push(cur);
      cur = null;
    };
    for (const s of segs) {
      if ('brk' in s) {
        end();
        continue;
      }
      if (!s.split) {
        const f = start();
        if (s.q) f.keep = true;
        for (const c of s.s) f.chars.push({ c, q: s.q });
        continue;
      }
      // An unquoted expansion: IFS whitespace separates (and is trimmed); other IFS characters delimit.
      let i = 0;
      const text = s.s;
      while (i < text.length) {
        const c = text[i]!;
        if (ifs.includes(c)) {
          // A run of IFS whitespace, with at most one other IFS character in it, is one delimiter.
          let j = i;
          while (j < text.length && ifsWhite.includes(text[j]!)) j++;
          let hard = false;
          if (j < text.length && ifs.includes(text[j]!) && !ifsWhite.includes(text[j]!)) {
            hard = true;
            j++;
            while (j < text.length && ifsWhite.includes(text[j]!)) j++;
          }
          if (hard) {
            start();
            cur!.keep = true;
          }
          end();
          i = j;
          continue;
        }
        start().chars.push({ c, q: false });
        i++;
      }
    }
    end();
    return fields;
  }
}

export type { ParamOp };
