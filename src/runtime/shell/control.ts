/**
 * How the interpreter unwinds: thrown objects that are not errors but ash's evalskip and exception
 * kinds (EXEXIT, SKIPBREAK, SKIPCONT, SKIPFUNC).
 */

/** Unwinds the shell to its end with a status (exit, set -e, the end of a process's last command). */
export class ExitShell {
  /** `syntax`: the parser stopped the shell (an interactive shell goes on to the next line). */
  constructor(
    readonly status: number,
    readonly syntax = false,
  ) {}
}
/** SIGINT reached an interactive shell with no trap for it (ash's EXINT): the line is abandoned. */
export class Interrupted {}
export class BreakLoop {
  constructor(public n: number) {}
}
export class ContinueLoop {
  constructor(public n: number) {}
}
export class ReturnFn {
  constructor(readonly status: number) {}
}
