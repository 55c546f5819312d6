/**
 * How the interpreter unwinds: thrown objects that are not errors but ash's evalskip and exception
 * kinds (EXEXIT, SKIPBREAK, SKIPCONT, SKIPFUNC).
 */

/** Unwinds the shell to its end with a status (exit, set -e, the end of a process's last command). */
export class ExitShell {
  constructor(readonly status: number) {}
}
export class BreakLoop {
  constructor(public n: number) {}
}
export class ContinueLoop {
  constructor(public n: number) {}
}
export class ReturnFn {
  constructor(readonly status: number) {}
}
