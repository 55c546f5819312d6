/**
 * IPAM cost against subnet size (issue 18): `npm run bench:ipam` (add `-- --json` for one JSON document).
 *
 * 1. Per address: on a /24, a /16 and a /8, the same workload — allocate 250 addresses, release them
 *    in a shuffled order, allocate 250 again, release — repeated; ns per operation for each phase and
 *    the ratio of the slowest subnet to the fastest (the goal: within 1.5x, i.e. flat in subnet size).
 * 2. Memory: a fresh pool on each size (what creating the network costs), then a /8 holding 1,000,
 *    10,000 and 100,000 addresses, in order and with every other one released (the worst case for
 *    the run-length bitmap): bytes grow with addresses in use and runs, never with the subnet.
 * 3. 60,000 allocations on one /16 (docker0's size): total time, µs and heap bytes per allocation.
 * 4. The same /16 through the engine (bench/ipam-engine.ts): `--containers` (60,000) running
 *    containers on a user network (`--budget-s S` stops early), then 60,000 endpoints through the
 *    network service; time per container first 1,000 against last 1,000, memory per container.
 *    `--no-engine` leaves it out.
 *
 * `npm run bench:ipam` compiles this file and src/ with tsc (bench/tsconfig.json, into dist/.bench)
 * and runs node on the output, as the daemon runs (dist/): tsx compiles with esbuild's keepNames,
 * which gives every function a `name` property of its own (~20 KB more heap per running container,
 * none of it the engine's). Node runs with --max-old-space-size=8192: 60,000 running containers
 * are held in the daemon's heap (about 4 GB of it today, see the figures), over V8's default limit.
 * Every figure is measured on this machine; nothing is a constant.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ipam } from '../src/network/ipam.js';
import { engineSection, type EngineFigures } from './ipam-engine.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const json = process.argv.includes('--json');
const argValue = (flag: string, dflt: number): number => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

const SUBNETS = ['10.1.0.0/24', '10.2.0.0/16', '10.0.0.0/8'] as const;
const PER_ROUND = 250;
const ROUNDS = 400;

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A fixed shuffle (xorshift) so every subnet releases in the same order. */
function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface PhaseTimes {
  subnet: string;
  allocateNs: number;
  releaseNs: number;
  reallocateNs: number;
  perAddressNs: number;
}

/** One subnet's pool and its accumulated phase times. */
interface Runner {
  subnet: string;
  ipam: Ipam;
  poolId: string;
  t: { allocate: bigint; release: bigint; reallocate: bigint };
}

function runner(subnet: string): Runner {
  const ipam = new Ipam({ predefined: [] });
  const poolId = ipam.requestPool({ subnet }).id;
  ipam.requestAddress(poolId); // the gateway, as a network has
  return { subnet, ipam, poolId, t: { allocate: 0n, release: 0n, reallocate: 0n } };
}

function oneRound(r: Runner, round: number): void {
  const { ipam, poolId: id, t } = r;
  let start = process.hrtime.bigint();
  const got: string[] = [];
  for (let i = 0; i < PER_ROUND; i++) got.push(ipam.requestAddress(id));
  t.allocate += process.hrtime.bigint() - start;
  const order = shuffled(got, round + 1);
  start = process.hrtime.bigint();
  for (const a of order) ipam.releaseAddress(id, a);
  t.release += process.hrtime.bigint() - start;
  start = process.hrtime.bigint();
  for (let i = 0; i < PER_ROUND; i++) got[i] = ipam.requestAddress(id);
  t.reallocate += process.hrtime.bigint() - start;
  for (const a of got) ipam.releaseAddress(id, a);
}

/**
 * The three subnets take turns round by round, so that a busy machine (other processes on the same
 * cores) slows all three alike instead of whichever ran during the busy spell.
 */
function perAddress(rounds: number): PhaseTimes[] {
  const runners = SUBNETS.map(runner);
  for (let round = 0; round < rounds; round++) for (const r of runners) oneRound(r, round);
  const ops = rounds * PER_ROUND;
  return runners.map(({ subnet, t }) => {
    const ns = (v: bigint): number => Number(v) / ops;
    const [allocateNs, releaseNs, reallocateNs] = [ns(t.allocate), ns(t.release), ns(t.reallocate)];
    return { subnet, allocateNs, releaseNs, reallocateNs, perAddressNs: (allocateNs + releaseNs + reallocateNs) / 3 };
  });
}

interface MemoryRow {
  case: string;
  inUse: number;
  runs: number;
  bytes: number;
}

/** Bytes an object graph retains: heap with it, minus heap once it is dropped (robust to old garbage). */
function retained<T>(build: () => T, describe: (value: T) => Omit<MemoryRow, 'bytes'>): MemoryRow {
  let value: T | undefined = build();
  const row = describe(value);
  const withIt = heap();
  value = undefined;
  const without = heap();
  return { ...row, bytes: withIt - without };
}

function freshPools(): MemoryRow[] {
  const COUNT = 1000;
  return SUBNETS.map((subnet) => {
    const row = retained(
      () =>
        Array.from({ length: COUNT }, () => {
          const ipam = new Ipam({ predefined: [] });
          ipam.requestAddress(ipam.requestPool({ subnet }).id);
          return ipam;
        }),
      (ipams) => {
        const first = ipams[0] as Ipam;
        const id = first.listPools()[0]?.id as string;
        return { case: `fresh ${subnet} (gateway only), per pool`, ...first.usage(id) };
      },
    );
    return { ...row, bytes: row.bytes / COUNT };
  });
}

/** Several copies of the same /8 state, so that small states measure above the heap's noise. */
function heldOnSlash8(count: number, fragmented: boolean): MemoryRow {
  const copies = Math.max(1, Math.floor(200_000 / count));
  const build = () => {
    const ipam = new Ipam({ predefined: [] });
    const pool = ipam.requestPool({ subnet: '10.0.0.0/8' });
    const got: string[] = [];
    for (let i = 0; i < count; i++) got.push(ipam.requestAddress(pool.id));
    if (fragmented) for (let i = 0; i < got.length; i += 2) ipam.releaseAddress(pool.id, got[i] as string);
    return { ipam, id: pool.id }; // the allocator only, not the caller's strings
  };
  const row = retained(
    () => Array.from({ length: copies }, build),
    (all) => {
      const { ipam, id } = all[0] as ReturnType<typeof build>;
      return { case: `/8 with ${count.toLocaleString('en')} allocated${fragmented ? ', every other released' : ''}`, ...ipam.usage(id) };
    },
  );
  return { ...row, bytes: row.bytes / copies };
}

function sixtyThousand(): { count: number; totalMs: number; usPer: number; heapBytesPer: number; allocatorBytesPer: number } {
  const count = 60_000;
  const ipam = new Ipam({ predefined: [] });
  const pool = ipam.requestPool({ subnet: '172.17.0.0/16' });
  ipam.requestAddress(pool.id);
  const before = heap();
  const held: string[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) held.push(ipam.requestAddress(pool.id));
  const totalNs = Number(process.hrtime.bigint() - start);
  const withStrings = heap() - before;
  held.length = 0;
  const allocatorOnly = heap() - before;
  return { count, totalMs: totalNs / 1e6, usPer: totalNs / 1e3 / count, heapBytesPer: withStrings / count, allocatorBytesPer: allocatorOnly / count };
}

perAddress(40); // warm the JIT on every path first
const times = perAddress(ROUNDS);
const perAddr = times.map((t) => t.perAddressNs);
const ratio = Math.max(...perAddr) / Math.min(...perAddr);
const memory = [...freshPools(), ...[1_000, 10_000, 100_000].flatMap((n) => [heldOnSlash8(n, false), heldOnSlash8(n, true)])];
const big = sixtyThousand();
const engine: EngineFigures | undefined = process.argv.includes('--no-engine')
  ? undefined
  : await engineSection({
      containers: argValue('--containers', 60_000),
      budgetS: argValue('--budget-s', 0),
      endpoints: argValue('--endpoints', 60_000),
      heap,
      progress: (s) => process.stderr.write(`  4. engine: ${s}\n`),
    });

if (json) {
  console.log(JSON.stringify({ times, ratio, memory, sixtyThousand: big, engine }, null, 2));
} else {
  console.log(`Per address: ${ROUNDS} rounds of ${PER_ROUND} allocate / shuffled release / reallocate (interleaved)`);
  console.log('subnet         allocate ns  release ns  reallocate ns  mean ns');
  for (const t of times) {
    console.log(
      `${t.subnet.padEnd(14)} ${t.allocateNs.toFixed(0).padStart(11)} ${t.releaseNs.toFixed(0).padStart(11)} ${t.reallocateNs.toFixed(0).padStart(14)} ${t.perAddressNs.toFixed(0).padStart(8)}`,
    );
  }
  console.log(`slowest / fastest: ${ratio.toFixed(2)}x (goal within 1.5x) ${ratio <= 1.5 ? 'OK' : 'OVER'}`);
  console.log('\nMemory retained by the allocator (heap after GC; a run is two numbers)');
  for (const m of memory) console.log(`${m.case.padEnd(52)} in use ${String(m.inUse).padStart(7)}  runs ${String(m.runs).padStart(6)}  ${m.bytes.toFixed(0).padStart(9)} B`);
  console.log(`\n${big.count.toLocaleString('en')} allocations on one /16: ${big.totalMs.toFixed(1)} ms, ${big.usPer.toFixed(2)} µs each,`);
  console.log(`  ${big.heapBytesPer.toFixed(1)} heap bytes each with the address strings held, ${big.allocatorBytesPer.toFixed(2)} in the allocator`);
  if (engine) printEngine(engine);
}

function printEngine({ containers: c, endpoints: e }: EngineFigures): void {
  const kb = (b: number) => (b / 1024).toFixed(1);
  const why = c.reached < c.wanted ? ` (of ${c.wanted.toLocaleString('en')} asked: the ${c.budgetS} s budget ran out)` : '';
  console.log(`\nThrough the engine, in process, one user network on a /16:`);
  console.log(`  ${c.reached.toLocaleString('en')} containers running (run -d sh -c 'sleep 3600')${why} in ${c.totalS.toFixed(1)} s, ${c.cpuS.toFixed(1)} s of CPU`);
  console.log(`  ms per container (create + start, median): first 1,000 ${c.firstMs.toFixed(2)}, last 1,000 ${c.lastMs.toFixed(2)}, last/first ${(c.lastMs / c.firstMs).toFixed(2)}x`);
  console.log(`  CPU ms per container (mean over 1,000): first 1,000 ${c.firstCpuMs.toFixed(2)}, last 1,000 ${c.lastCpuMs.toFixed(2)}`);
  console.log(`  per running container: ${kb(c.heapBytesPer)} KB heap (after GC), ${kb(c.rssBytesPer)} KB RSS`);
  console.log(`  ${e.count.toLocaleString('en')} endpoints joined through the network service (last address ${e.lastAddress}) in ${e.totalS.toFixed(2)} s`);
  console.log(`  µs per endpoint (median): first 1,000 ${e.firstUs.toFixed(1)}, last 1,000 ${e.lastUs.toFixed(1)}, last/first ${(e.lastUs / e.firstUs).toFixed(2)}x; ${e.heapBytesPer.toFixed(0)} heap bytes per endpoint`);
}

// the engine's running containers sleep for an hour on timers that would hold the process open
process.exit(0);
