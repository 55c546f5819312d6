/**
 * What a filesystem instance shares between all its mounts and views: its device number and, for
 * a tmpfs, its size limit and root mode. The size is counted as mm/shmem.c counts it: in whole
 * pages (size=1k holds one 4 KiB page), a regular file charging one page per 4 KiB of its length
 * and a symlink of 128 bytes or more one page (shorter targets live in the inode,
 * SHORT_SYMLINK_LEN); directories and devices cost none. A write past the limit stores what fits
 * and fails with ENOSPC, the short write shmem gives (measured: `head -c 5000 /dev/zero >f` on a
 * size=1k tmpfs leaves 4096 bytes and fails with "No space left on device").
 */
import { FsError } from '../errors.js';
import type { DirInode, Inode } from './inode.js';

export const PAGE_SIZE = 4096;
const SHORT_SYMLINK_LEN = 128;

/**
 * Device numbers of in-memory filesystems: the kernel gives each tmpfs, overlay and proc an
 * anonymous device, major 0 and the next free minor (fs/super.c get_anon_bdev).
 */
let nextMinor = 40;
export function allocDev(): number {
  return nextMinor++;
}

export interface SuperblockOptions {
  /** The type /proc/self/mounts shows; `tmpfs` by default. */
  fsType?: string;
  /** size= in bytes, rounded up to whole pages; unlimited when absent. */
  size?: number;
  /**
   * Options shown for another type, as the host's filesystem shows them (measured for Docker's
   * binds of /etc/hosts here: `/dev/vda /etc/hosts ext4 rw,relatime,discard,resv_strict,…`).
   */
  options?: readonly string[];
}

function pagesOf(i: Inode): number {
  if (i.kind === 'file') return Math.ceil(i.size / PAGE_SIZE);
  if (i.kind === 'symlink') return Buffer.byteLength(i.target) >= SHORT_SYMLINK_LEN ? 1 : 0;
  return 0;
}

export class Superblock {
  readonly dev = allocDev();
  readonly fsType: string;
  /** The limit in pages, or null. */
  readonly maxPages: number | null;
  private readonly options: readonly string[];
  /** mode= as mounted: /proc/self/mounts keeps showing it after a chmod of the root (measured). */
  private readonly mode: number;

  constructor(
    private readonly root: DirInode,
    opts: SuperblockOptions = {},
  ) {
    this.fsType = opts.fsType ?? 'tmpfs';
    this.options = opts.options ?? [];
    this.mode = root.mode & 0o7777;
    this.maxPages = opts.size === undefined ? null : Math.max(1, Math.ceil(opts.size / PAGE_SIZE));
  }

  /** Pages charged by every inode except `except`, each hardlinked inode once. */
  private usedPages(except: Inode | null): number {
    const seen = new Set<Inode>();
    let pages = 0;
    const walk = (d: DirInode): void => {
      for (const c of d.entries.values()) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (c !== except) pages += pagesOf(c);
        if (c.kind === 'dir') walk(c);
      }
    };
    walk(this.root);
    return pages;
  }

  /** The bytes its pages take (what a tmpfs charges to a memory cgroup: Shmem in /proc/meminfo). */
  usedBytes(): number {
    return this.usedPages(null) * PAGE_SIZE;
  }

  /** How many bytes `file` may hold when it wants to grow to `want` bytes. */
  roomFor(file: Inode, want: number): number {
    if (this.maxPages === null) return want;
    const free = this.maxPages - this.usedPages(file);
    return Math.min(want, Math.max(0, free) * PAGE_SIZE);
  }

  /** Refuses a new inode that needs a page the filesystem does not have (a long symlink). */
  charge(inode: Inode, path: string, syscall: string): void {
    if (this.maxPages === null || pagesOf(inode) === 0) return;
    if (this.usedPages(null) + pagesOf(inode) > this.maxPages) throw new FsError('ENOSPC', path, syscall);
  }

  /**
   * The options shmem_show_options prints: size= (in KiB) and mode= when not the defaults
   * (measured: `mount -t tmpfs -o size=1k,mode=755` shows `size=4k,mode=755`).
   */
  mountOptions(): string[] {
    const out: string[] = [...this.options];
    if (this.maxPages !== null) out.push(`size=${this.maxPages * (PAGE_SIZE / 1024)}k`);
    if (this.fsType === 'tmpfs' && this.mode !== 0o1777) out.push(`mode=${this.mode.toString(8).padStart(3, '0')}`);
    return out;
  }
}
