import * as path from 'node:path';
import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { isCode } from '../../errors.js';
import type { InitResult, San } from '../../tls/index.js';

/**
 * `boxlab tls init DIR`: what Docker's "Protect the Docker daemon socket" page makes with a dozen openssl
 * commands, in one. 2376 in the examples is the port Docker's docs give the TLS socket (2375 is plain).
 */
export function register(program: Command, ctx: CliContext): void {
  const tls = program.command('tls').description('Certificates for the Docker Engine API over TCP with mutual TLS');
  tls
    .command('init')
    .argument('<dir>', 'the directory to write into (made if missing)')
    .description(
      'Make a CA, a daemon (server) certificate and a client certificate, as Docker\'s "Protect the Docker daemon socket" recipe does: ' +
        'ca.pem, ca-key.pem, server-cert.pem, server-key.pem, cert.pem, key.pem',
    )
    .addOption(
      new Option('--san <name>', 'a name the daemon is reached by: DNS name or IP, repeatable')
        .argParser((v: string, all: string[]) => [...all, v])
        .default([], 'localhost and 127.0.0.1'),
    )
    .option('--days <n>', 'how long the certificates are valid', '365')
    .option('--bits <n>', "the RSA key size (Docker's recipe: 4096)", '4096')
    .option('-f, --force', 'replace an existing set (its CA too: certificates it signed stop working)')
    .action(async (dir: string, opts: { san: string[]; days: string; bits: string; force?: boolean }) => {
      // Loaded here, not at the top: node-forge is big, and `boxlab --help` should not pay for it.
      const { initDockerTls, parseSan, existingNames, DEFAULT_SANS, TLS_FILE_NAMES } = await import('../../tls/index.js');
      const abs = path.resolve(dir);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1) throw new Error(`invalid --days "${opts.days}": a whole number of days, 1 or more`);
      const bits = Number(opts.bits);
      // 2048 is the floor of NIST SP 800-131A; 16384 the most forge hands to Node's keygen.
      if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) throw new Error(`invalid --bits "${opts.bits}": from 2048 to 16384`);
      const sans: San[] = [];
      for (const s of opts.san) {
        try {
          sans.push(parseSan(s));
        } catch (e) {
          throw new Error(`invalid --san "${s}": ${(e as Error).message}`);
        }
      }
      let r: InitResult;
      try {
        r = await initDockerTls(abs, { sans, days, bits, force: opts.force });
      } catch (e) {
        if (!isCode(e, 'AlreadyExists')) throw e;
        // Never replace a CA unasked: every certificate it signed, on every client, would stop working.
        const found = await existingNames(abs, TLS_FILE_NAMES);
        throw new Error(`${abs} already has ${found.join(', ')}; use --force to replace the whole set with a new CA`);
      }
      ctx.out.write(report(abs, r, sans.length ? sans : DEFAULT_SANS, days));
    });
}

const sanText = (s: San) => `${s.type === 'dns' ? 'DNS' : 'IP'}:${s.value}`;

function report(dir: string, r: InitResult, names: readonly San[], days: number): string {
  const server = r.set.server.cert;
  const first = names[0] ?? { type: 'dns', value: 'localhost' };
  const host = `tcp://${first.type === 'ip' && first.value.includes(':') ? `[${first.value}]` : first.value}:2376`;
  const f = (name: string) => path.join(dir, name);
  const rows: [string, string][] = [
    ['ca.pem', 'the CA certificate: both ends trust what it signed'],
    ['ca-key.pem', 'the CA key: keep it private; it signs any further client'],
    ['server-cert.pem', `the daemon's certificate (serverAuth; ${names.map(sanText).join(', ')})`],
    ['server-key.pem', "the daemon's key"],
    ['cert.pem', "the client's certificate (clientAuth)"],
    ['key.pem', "the client's key"],
  ];
  const width = Math.max(...rows.map(([n]) => n.length));
  return [
    `Wrote to ${dir} (keys 0400, certificates 0444; valid ${days} days, until ${server.validity.notAfter.toISOString()}):`,
    ...rows.map(([n, what]) => `  ${n.padEnd(width)}  ${what}`),
    '',
    'Serve with:',
    `  dockerd --tlsverify --tlscacert=${f('ca.pem')} --tlscert=${f('server-cert.pem')} --tlskey=${f('server-key.pem')} -H ${host}`,
    '  (boxlab daemon takes the same flags)',
    '',
    'Connect with the docker CLI, by flags:',
    `  docker --tlsverify --tlscacert=${f('ca.pem')} --tlscert=${f('cert.pem')} --tlskey=${f('key.pem')} -H ${host} version`,
    'or by environment (the CLI reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH):',
    `  export DOCKER_HOST=${host} DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`,
    '  docker version',
    '',
  ].join('\n');
}
