/**
 * The shell's syntax tree, shaped after busybox ash's parse nodes (shell/ash.c: NCMD, NPIPE, NAND,
 * NOR, NSEMI, NSUBSHELL, NREDIR, NBACKGND, NIF, NWHILE, NUNTIL, NFOR, NCASE, NDEFUN, NNOT).
 */

/** A piece of a word before expansion. */
export type WordPart =
  /** Unquoted text: subject to field splitting (no), globbing (yes), tilde at the start. */
  | { readonly t: 'lit'; readonly v: string }
  /** Quoted text ('...', \x, or the literal parts of "..."): taken as it is. */
  | { readonly t: 'q'; readonly v: string }
  /** "...": its parts expand, but are not split or globbed. */
  | { readonly t: 'dq'; readonly parts: readonly WordPart[] }
  /** $name, ${name}, ${name op word}, ${#name}. */
  | { readonly t: 'param'; readonly name: string; readonly op: ParamOp | ''; readonly arg: Word | null; readonly length?: boolean }
  /** $(...) or `...`. */
  | { readonly t: 'cmd'; readonly body: Node | null }
  /** $((...)): the text expands as in double quotes, then is evaluated. */
  | { readonly t: 'arith'; readonly expr: Word };

export type ParamOp = '-' | ':-' | '=' | ':=' | '?' | ':?' | '+' | ':+' | '#' | '##' | '%' | '%%';

export interface Word {
  readonly parts: readonly WordPart[];
  /** The source text, for here-document delimiters and messages. */
  readonly raw: string;
}

export type RedirOp = '<' | '>' | '>>' | '>|' | '<>' | '<&' | '>&' | '<<' | '<<-';

export interface Redir {
  readonly fd: number;
  readonly op: RedirOp;
  readonly target: Word;
  /** For << and <<-: the body, filled in when the parser reaches the end of the line. */
  heredoc?: { body: string; quoted: boolean };
}

export interface Assign {
  readonly name: string;
  readonly value: Word;
}

export interface CaseArm {
  readonly patterns: readonly Word[];
  readonly body: Node | null;
}

export type Node =
  | { readonly type: 'simple'; readonly line: number; readonly assigns: readonly Assign[]; readonly words: readonly Word[]; readonly redirs: readonly Redir[] }
  | { readonly type: 'pipe'; readonly cmds: readonly Node[]; readonly bang: boolean }
  | { readonly type: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly type: 'seq'; readonly items: readonly Node[] }
  | { readonly type: 'bg'; readonly body: Node }
  | { readonly type: 'subshell'; readonly body: Node; readonly redirs: readonly Redir[] }
  | { readonly type: 'group'; readonly body: Node; readonly redirs: readonly Redir[] }
  | { readonly type: 'if'; readonly cond: Node; readonly then: Node; readonly else: Node | null; readonly redirs: readonly Redir[] }
  | { readonly type: 'while' | 'until'; readonly cond: Node; readonly body: Node; readonly redirs: readonly Redir[] }
  | { readonly type: 'for'; readonly line: number; readonly name: string; readonly items: readonly Word[] | null; readonly body: Node; readonly redirs: readonly Redir[] }
  | { readonly type: 'case'; readonly line: number; readonly word: Word; readonly arms: readonly CaseArm[]; readonly redirs: readonly Redir[] }
  | { readonly type: 'func'; readonly line: number; readonly name: string; readonly body: Node };
