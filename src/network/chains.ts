/**
 * An evaluator of the rules `iptables-save` prints: the text firewall.ts renders is parsed back into
 * chains and a packet is walked through them as netfilter walks it (man iptables(8), "TARGETS": a
 * rule's target is a verdict (ACCEPT, DROP), a NAT action (DNAT, MASQUERADE), RETURN, or another chain
 * jumped to; the end of a user chain returns to the caller, the end of a built-in one applies its
 * policy). Only the matches the bridge driver writes are understood (-s -d -i -o -p, --dport,
 * conntrack --ctstate, addrtype --dst-type LOCAL), each possibly negated with `!`; a rule with any
 * other match is refused when parsed, so nothing is silently taken as matching.
 *
 * Why evaluate the printed text rather than decide in code: `boxlab iptables` and `boxlab trace` (and
 * every packet a container's `ping` or `wget` sends) then read the same rules, and cannot disagree.
 */
import { BoxlabError } from '../errors.js';
import { addressValue, contains, parseSubnet } from './addr.js';

type MatchKind = 's' | 'd' | 'i' | 'o' | 'p' | 'dport' | 'ctstate' | 'dst-type';

interface Match {
  readonly kind: MatchKind;
  readonly value: string;
  readonly negate: boolean;
}

export interface Rule {
  readonly table: string;
  readonly chain: string;
  /** The rule as iptables-save prints it, without the leading `-A `. */
  readonly text: string;
  readonly matches: readonly Match[];
  readonly target: string;
  readonly toDestination?: string;
}

export interface Table {
  readonly name: string;
  /** Built-in chains and their policies; user chains have none. */
  readonly policies: ReadonlyMap<string, string>;
  readonly rules: readonly Rule[];
}

export type Tables = ReadonlyMap<string, Table>;

const OPTION: Record<string, MatchKind> = { '-s': 's', '-d': 'd', '-i': 'i', '-o': 'o', '-p': 'p', '--dport': 'dport', '--ctstate': 'ctstate', '--dst-type': 'dst-type' };
const MODULES = new Set(['tcp', 'udp', 'sctp', 'conntrack', 'addrtype']);

function parseRule(table: string, line: string): Rule {
  const words = line.split(' ');
  const chain = words[1] ?? '';
  const matches: Match[] = [];
  let target = '';
  let toDestination: string | undefined;
  let negate = false;
  for (let i = 2; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1] ?? '';
    if (w === '!') negate = true;
    else if (w === '-m' && MODULES.has(next)) i++;
    else if (w === '-j') {
      target = next;
      i++;
    } else if (w === '--to-destination') {
      toDestination = next;
      i++;
    } else if (OPTION[w]) {
      matches.push({ kind: OPTION[w], value: next, negate });
      negate = false;
      i++;
    } else throw new BoxlabError('InvalidArgument', `the rule evaluator does not know ${w} in: ${line}`);
  }
  return { table, chain, text: line.slice(3), matches, target, ...(toDestination ? { toDestination } : {}) };
}

/** The tables of an iptables-save text (its `#` comments skipped). */
export function parseSave(text: string): Tables {
  const tables = new Map<string, Table>();
  let cur: { name: string; policies: Map<string, string>; rules: Rule[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) cur = { name: line.slice(1), policies: new Map(), rules: [] };
    else if (!cur || line === '' || line.startsWith('#')) continue;
    else if (line === 'COMMIT') tables.set(cur.name, cur);
    else if (line.startsWith(':')) {
      const [chain, policy] = line.slice(1).split(' ');
      if (policy && policy !== '-') cur.policies.set(chain as string, policy);
    } else if (line.startsWith('-A ')) cur.rules.push(parseRule(cur.name, line));
  }
  return tables;
}

/** What the rules look at: the interfaces (undefined for a packet the host itself sends), addresses, port. */
export interface Packet {
  readonly in?: string;
  readonly out?: string;
  readonly src: string;
  readonly dst: string;
  /** 'icmp' for ping. */
  readonly proto: string;
  readonly dport?: number;
  /** Conntrack state: a first packet is NEW. */
  readonly state: 'NEW' | 'ESTABLISHED';
  /** addrtype --dst-type LOCAL: an address of the host's own. */
  readonly isLocal: (ip: string) => boolean;
}

function within(ip: string, cidr: string): boolean {
  const { family, value } = addressValue(ip);
  return contains(parseSubnet(cidr.includes('/') ? cidr : `${cidr}/32`), family, value);
}

function test(m: Match, p: Packet): boolean {
  switch (m.kind) {
    case 's':
      return within(p.src, m.value);
    case 'd':
      return within(p.dst, m.value);
    case 'i':
      return p.in === m.value;
    case 'o':
      return p.out === m.value;
    case 'p':
      return p.proto === m.value;
    case 'dport':
      return p.dport === Number(m.value);
    case 'ctstate':
      return m.value.split(',').includes(p.state);
    case 'dst-type':
      return m.value === 'LOCAL' && p.isLocal(p.dst);
  }
}

export function matches(r: Rule, p: Packet): boolean {
  return r.matches.every((m) => test(m, p) !== m.negate);
}

/** The end of a walk: the deciding rule (undefined when a built-in chain's policy decided). */
export interface Outcome {
  readonly verdict: string;
  readonly rule?: Rule;
  /** Every rule that matched on the way, jumps included, in order. */
  readonly matched: readonly Rule[];
}

const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE']);

/** Walks `chain` of `table` for this packet. A table the text lacks accepts everything. */
export function walk(tables: Tables, table: string, chain: string, p: Packet): Outcome {
  const t = tables.get(table);
  const matched: Rule[] = [];
  if (!t) return { verdict: 'ACCEPT', matched };
  const run = (name: string, depth: number): Rule | undefined => {
    if (depth > 32) throw new BoxlabError('FailedPrecondition', `iptables chains loop at ${name}`);
    for (const r of t.rules) {
      if (r.chain !== name || !matches(r, p)) continue;
      matched.push(r);
      if (TERMINAL.has(r.target)) return r;
      if (r.target === 'RETURN') return undefined;
      const decided = run(r.target, depth + 1);
      if (decided) return decided;
    }
    return undefined;
  };
  const rule = run(chain, 0);
  return rule ? { verdict: rule.target, rule, matched } : { verdict: t.policies.get(chain) ?? 'ACCEPT', matched };
}
