/**
 * Volumes of the local driver, kept where Docker keeps them: `<root>/volumes/<name>/_data` holds the
 * bytes (a real directory, so a write that returned is on disk whatever happens to the daemon), and
 * `<root>/volumes/<name>/volume.json` what the engine's metadata.db holds for it (labels, options,
 * whether it was created without a name). Listing reads the directory, so a restarted daemon finds
 * every volume. Names follow the local driver (moby volume/local/local.go validateName).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { BoxlabError } from '../errors.js';
import { HostFs } from '../vfs/hostfs.js';

export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Unix milliseconds. */
  createdAt: number;
  /** Created without a name (`-v /path`, an image's VOLUME, `--mount type=volume` with no source). */
  anonymous: boolean;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The local driver's name rules, in its words (wrapped as `create NAME: ...` by the caller). */
export function nameProblem(name: string): string | null {
  if (name.length === 1) return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!NAME.test(name))
    return `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  return null;
}

/** An anonymous volume's name: 32 random bytes in hex (stringid.GenerateRandomID). */
export function anonymousName(): string {
  return randomBytes(32).toString('hex');
}

export class VolumeStore {
  private readonly fss = new Map<string, HostFs>();

  constructor(readonly dir: string) {}

  dataPath(name: string): string {
    return path.join(this.dir, name, '_data');
  }

  private metaPath(name: string): string {
    return path.join(this.dir, name, 'volume.json');
  }

  get(name: string): VolumeRecord | undefined {
    if (nameProblem(name)) return undefined;
    try {
      const raw = JSON.parse(fs.readFileSync(this.metaPath(name), 'utf8')) as VolumeRecord;
      return fs.statSync(this.dataPath(name)).isDirectory() ? raw : undefined;
    } catch {
      return undefined;
    }
  }

  all(): VolumeRecord[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.map((n) => this.get(n)).filter((v): v is VolumeRecord => !!v);
  }

  /** Makes the directories (0701 and 0755, as Docker does) and writes the record atomically. */
  create(rec: VolumeRecord): void {
    fs.mkdirSync(path.join(this.dir, rec.name), { recursive: true, mode: 0o701 });
    fs.mkdirSync(this.dataPath(rec.name), { recursive: true, mode: 0o755 });
    const tmp = `${this.metaPath(rec.name)}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(rec));
    fs.renameSync(tmp, this.metaPath(rec.name));
  }

  remove(name: string): void {
    this.fss.get(name)?.close();
    this.fss.delete(name);
    // the record goes first: a volume without it is not listed, even if removing the data fails midway
    fs.rmSync(this.metaPath(name), { force: true });
    fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }

  /** The volume's data as a filesystem (one per volume, shared by every container mounting it). */
  fsOf(name: string): HostFs {
    let f = this.fss.get(name);
    if (!f) {
      f = new HostFs(this.dataPath(name));
      this.fss.set(name, f);
    }
    return f;
  }

  isEmpty(name: string): boolean {
    return fs.readdirSync(this.dataPath(name)).length === 0;
  }

  /**
   * What `prune` reports reclaimed and `system df` shows: the sizes of the regular files, each inode
   * once, directories not counted (moby pkg/directory Size, measured: a 3-byte file is 3B).
   */
  size(name: string): number {
    const seen = new Set<number>();
    let total = 0;
    const walk = (p: string) => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const full = path.join(p, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.isFile()) {
          const st = fs.lstatSync(full);
          if (seen.has(st.ino)) continue;
          seen.add(st.ino);
          total += st.size;
        }
      }
    };
    try {
      walk(this.dataPath(name));
    } catch {
      /* removed meanwhile */
    }
    return total;
  }
}

/** A new volume record: a name (validated) or an anonymous one. */
export function newVolume(name: string | undefined, labels: Record<string, string> = {}, options: Record<string, string> = {}, now = Date.now()): VolumeRecord {
  const anonymous = !name;
  const n = name || anonymousName();
  const problem = nameProblem(n);
  if (problem) throw new BoxlabError('InvalidArgument', `create ${n}: ${problem}`);
  return { name: n, driver: 'local', labels, options, createdAt: now, anonymous };
}
