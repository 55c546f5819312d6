import { Command, Option } from 'commander';

/**
 * commander, taught the docker CLI's conventions (cobra + pflag, docker/cli cli/required.go):
 * - argument counts are checked with Docker's wording ("'docker load' accepts no arguments",
 *   "requires 1 argument", "requires at most 1 argument"), exit status 1;
 * - a flag error says "unknown flag: --x" / "unknown shorthand flag: 'v' in -v", exit status 125;
 * - an error is followed by the usage line and "Run '... --help'", not the whole help.
 */
export class DockerCommand extends Command {
  override createCommand(name?: string): DockerCommand {
    return new DockerCommand(name);
  }

  /** `boxlab image ls`, the command as a person types it. */
  commandPath(): string {
    return this.parent instanceof DockerCommand ? `${this.parent.commandPath()} ${this.name()}` : this.name();
  }

  /** Docker's usage line: `boxlab history [OPTIONS] IMAGE`. */
  usageLine(): string {
    const args = this.registeredArguments.map((a) => {
      const n = a.name().toUpperCase();
      const one = a.variadic ? `${n} [${n}...]` : n;
      return a.required ? one : `[${one}]`;
    });
    const sub = this.commands.length > 0 && this.registeredArguments.length === 0 ? ['COMMAND'] : [];
    return [this.commandPath(), '[OPTIONS]', ...sub, ...args].join(' ');
  }

  override error(message: string, opts: { code?: string; exitCode?: number } = {}): never {
    const text = message.replace(/^error: /, '');
    // Docker prefixes argument-count errors with the program name; flag errors come bare
    const prefix = opts.code === 'commander.argumentCount' ? 'boxlab: ' : '';
    process.stderr.write(`${prefix}${text}\n\nUsage:  ${this.usageLine()}\n\nRun '${this.commandPath()} --help' for more information\n`);
    const exitCode = opts.exitCode ?? (opts.code === 'commander.argumentCount' ? 1 : 125);
    return this._exit(exitCode, opts.code ?? 'commander.error', text);
  }

  /** commander's hook for a missing argument (private there, so not in its typings). */
  missingArgument(): never {
    return this.argumentCountError();
  }

  /** commander's hook for extra arguments (private there, so not in its typings). */
  _excessArguments(): void {
    this.argumentCountError();
  }

  private argumentCountError(): never {
    const args = this.registeredArguments;
    const min = args.filter((a) => a.required).length;
    const max = args.some((a) => a.variadic) ? Infinity : args.length;
    const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
    const name = `'${this.commandPath()}'`;
    const msg =
      max === 0 ? `${name} accepts no arguments`
      : min === max ? `${name} requires ${n(min)}`
      : max === Infinity ? `${name} requires at least ${n(min)}`
      : min === 0 ? `${name} requires at most ${n(max)}`
      : `${name} requires at least ${min} and at most ${n(max)}`;
    return this.error(msg, { code: 'commander.argumentCount' });
  }

  /** commander's hook for an unknown flag (private there too). */
  unknownOption(flag: string): void {
    if ((this as unknown as { _allowUnknownOption: boolean })._allowUnknownOption) return;
    const msg = flag.startsWith('--') ? `unknown flag: ${flag}` : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`;
    this.error(msg, { code: 'commander.unknownOption' });
  }

  /** commander's exit, declared here because its typings keep it private. */
  declare _exit: (exitCode: number, code: string, message: string) => never;

  /**
   * A boolean flag as pflag has it: `--flag`, `--flag=false`, `-f=0`; any other value is refused
   * (see normalizeBoolFlags). With a default of true, `--no-LONG` is kept hidden to turn it off.
   */
  boolOption(flags: string, description: string, defaultValue = false): this {
    const opt = new Option(flags, `${description}${defaultValue ? ' (default true)' : ''}`);
    this.addOption(defaultValue ? opt.default(true) : opt);
    if (defaultValue) this.addOption(new Option(`--no-${opt.attributeName().replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).hideHelp());
    return this;
  }
}

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/**
 * Rewrites `--flag=VALUE` and `-f=VALUE` of the boolean flags of the command that `argv` names into
 * what commander understands (`--flag`, `--no-flag`, or nothing), and refuses a value that is not a
 * Go bool with pflag's message. A value given as the next word is not the flag's: `-H 0 IMG` has
 * two arguments, as in Docker.
 */
export function normalizeBoolFlags(program: DockerCommand, argv: string[]): string[] {
  let cmd: DockerCommand = program;
  const out: string[] = [];
  for (const arg of argv) {
    const sub = arg.startsWith('-') ? undefined : (cmd.commands as DockerCommand[]).find((c) => c.name() === arg || c.aliases().includes(arg));
    if (sub && cmd.registeredArguments.length === 0) cmd = sub;
    const m = /^(--[\w-]+|-\w)=(.*)$/s.exec(arg);
    const opt = m ? cmd.options.find((o) => (o.long === m[1] || o.short === m[1]) && !o.required && !o.optional && !o.negate) : undefined;
    if (!m || !opt) {
      out.push(arg);
      continue;
    }
    const v = parseGoBool(m[2]!);
    if (v === undefined) {
      cmd.error(`invalid argument ${JSON.stringify(m[2])} for "${[opt.short, opt.long].filter(Boolean).join(', ')}" flag: strconv.ParseBool: parsing ${JSON.stringify(m[2])}: invalid syntax`, { code: 'commander.invalidArgument' });
    }
    const negate = cmd.options.find((o) => o.negate && o.attributeName() === opt.attributeName());
    if (v) out.push(opt.long ?? opt.short!);
    else if (negate) out.push(negate.long!);
  }
  return out;
}
