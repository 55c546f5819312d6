/**
 * Shell variables: values, the export and readonly flags, and `local` frames of functions
 * (ash's mklocal/poplocalvars: a function's locals are restored when it returns). The environment
 * a command gets is the exported variables, in the order of ash's variable table (see environ).
 */

/** ash's table size (busybox shell/ash.c VTABSIZE). */
const VTABSIZE = 39;

/** The variables ash makes at start (varinit_data, busybox 1.35), in its order. */
const VARINIT = ['IFS', 'MAIL', 'MAILPATH', 'PATH', 'PS1', 'PS2', 'PS4', 'OPTIND', 'LINENO', 'RANDOM', 'EPOCHSECONDS', 'EPOCHREALTIME', 'LC_ALL', 'LANG', 'HISTFILE'];

/** ash's hashvar: the first byte times 16 plus every byte of the name, modulo the table size. */
function hashBucket(name: string): number {
  let h = name.charCodeAt(0) << 4;
  for (let i = 0; i < name.length; i++) h += name.charCodeAt(i);
  return h % VTABSIZE;
}

export interface Var {
  value: string | undefined;
  exported: boolean;
  readonly: boolean;
}

export class ReadonlyError extends Error {
  constructor(readonly varName: string) {
    super(`${varName}: is read only`);
  }
}

export class Vars {
  private map = new Map<string, Var>();
  private frames: Map<string, Var | undefined>[] = [];

  static fromEnv(env: ReadonlyMap<string, string>): Vars {
    const v = new Vars();
    for (const [k, val] of env) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) v.map.set(k, { value: val, exported: true, readonly: false });
    return v;
  }

  /** A copy for a subshell: its changes never reach the parent. */
  clone(): Vars {
    const v = new Vars();
    for (const [k, x] of this.map) v.map.set(k, { ...x });
    v.frames = this.frames.map((f) => new Map(f));
    return v;
  }

  get(name: string): string | undefined {
    return this.map.get(name)?.value;
  }
  entry(name: string): Var | undefined {
    return this.map.get(name);
  }
  isSet(name: string): boolean {
    return this.map.get(name)?.value !== undefined;
  }

  set(name: string, value: string, opts: { export?: boolean } = {}): void {
    const v = this.map.get(name);
    if (v?.readonly) throw new ReadonlyError(name);
    if (v) {
      v.value = value;
      if (opts.export) v.exported = true;
    } else this.map.set(name, { value, exported: !!opts.export, readonly: false });
  }

  export(name: string, value?: string): void {
    const v = this.map.get(name);
    if (value !== undefined && v?.readonly) throw new ReadonlyError(name);
    if (v) {
      v.exported = true;
      if (value !== undefined) v.value = value;
    } else this.map.set(name, { value, exported: true, readonly: false });
  }

  readonly(name: string, value?: string): void {
    const v = this.map.get(name);
    if (value !== undefined && v?.readonly) throw new ReadonlyError(name);
    if (v) {
      if (value !== undefined) v.value = value;
      v.readonly = true;
    } else this.map.set(name, { value, exported: false, readonly: true });
  }

  unset(name: string): void {
    const v = this.map.get(name);
    if (v?.readonly) throw new ReadonlyError(name);
    if (this.frames.length > 0 && this.frames[this.frames.length - 1]!.has(name)) {
      // A local stays local when unset: it just loses its value.
      if (v) v.value = undefined;
      return;
    }
    this.map.delete(name);
  }

  pushFrame(): void {
    this.frames.push(new Map());
  }
  popFrame(): void {
    const f = this.frames.pop();
    if (!f) return;
    for (const [name, saved] of f) {
      if (saved) this.map.set(name, saved);
      else this.map.delete(name);
    }
  }
  get inFunction(): boolean {
    return this.frames.length > 0;
  }
  /** `local name`: saved now, restored when the function returns; the value is kept (ash). */
  makeLocal(name: string): void {
    const f = this.frames[this.frames.length - 1];
    if (!f || f.has(name)) return;
    const cur = this.map.get(name);
    f.set(name, cur ? { ...cur } : undefined);
  }

  /**
   * The environment a command gets, in the order ash's listvars walks its variable table: by hash
   * bucket, and within a bucket the shell's own variables first (varinit puts each at the head of
   * its bucket, so the last of them leads), then the others in the order they were first set.
   */
  environ(): Map<string, string> {
    const exported: { k: string; value: string; bucket: number; rank: number; seq: number }[] = [];
    let seq = 0;
    for (const [k, v] of this.map) {
      if (!v.exported || v.value === undefined) continue;
      const init = VARINIT.indexOf(k);
      exported.push({ k, value: v.value, bucket: hashBucket(k), rank: init < 0 ? 0 : -1 - init, seq: seq++ });
    }
    exported.sort((a, b) => a.bucket - b.bucket || a.rank - b.rank || a.seq - b.seq);
    return new Map(exported.map((e) => [e.k, e.value]));
  }

  entries(): [string, Var][] {
    return [...this.map.entries()];
  }
}
