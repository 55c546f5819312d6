/**
 * Container names and IDs as Docker makes them: an ID is 32 random bytes in hex; a name is given
 * (`--name`) or generated as `adjective_surname` (moby pkg/namesgenerator's shape; the words here
 * are boxlab's own). Names are unique per daemon and stored with a leading slash, as inspect shows.
 */
import { randomBytes } from 'node:crypto';
import { BoxlabError } from '../../errors.js';

/** moby daemon/names: names.RestrictedNamePattern. */
const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

/** `/name` for a valid name; InvalidArgument in the daemon's words otherwise. */
export function canonicalName(name: string): string {
  if (!VALID_NAME.test(name))
    throw new BoxlabError('InvalidArgument', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.startsWith('/') ? name : `/${name}`;
}

const ADJECTIVES = [
  'agile', 'amber', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager', 'elated', 'fervent',
  'gentle', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'lucid', 'merry', 'modest', 'nimble', 'noble', 'patient',
  'quiet', 'quirky', 'relaxed', 'serene', 'sharp', 'steady', 'sunny', 'swift', 'tender', 'upbeat', 'vibrant', 'wise',
  'witty', 'zealous',
];
const SURNAMES = [
  'babbage', 'bardeen', 'bell', 'boole', 'cerf', 'curie', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermat',
  'feynman', 'gauss', 'goldberg', 'hamilton', 'hawking', 'hopper', 'kahn', 'knuth', 'lamport', 'liskov', 'lovelace',
  'maxwell', 'mccarthy', 'meitner', 'morse', 'newton', 'noether', 'pascal', 'perlman', 'ritchie', 'shannon',
  'thompson', 'torvalds', 'turing', 'wilson', 'wozniak', 'yalow',
];

/**
 * A free generated name, as moby's generateNewName: six tries (the second on with a random digit
 * appended), then the container's short ID. The six tries matter beyond Docker's likeness: the
 * words here make 1,444 names (15,884 with the digit), so a daemon with tens of thousands of
 * containers would otherwise retry for ever.
 */
export function generateName(taken: (name: string) => boolean, id: string): string {
  const pick = <T>(a: readonly T[]): T => a[randomBytes(2).readUInt16BE() % a.length]!;
  for (let i = 0; i < 6; i++) {
    let name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
    if (i > 0) name += String(randomBytes(1)[0]! % 10);
    if (!taken(`/${name}`)) return `/${name}`;
  }
  return `/${id.slice(0, 12)}`;
}
