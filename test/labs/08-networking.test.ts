import { describe, expect, it } from 'vitest';
import { run } from '../../labs/08-networking.js';

describe('lab 08: networking', () => {
  it('walks docker0, a second bridge, isolation and its fix, and a published port reached from the host', async () => {
    let text = '';
    await run({ write: (s) => void (text += s) });
    // eslint-disable-next-line no-control-regex -- stripping ANSI colours is the point
    const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('inet 172.17.0.2/16');
    expect(plain).toContain('nameserver 127.0.0.11');
    // the published port: a real listener on 127.0.0.1 answered the lab's real GET with web's file
    const port = /GET http:\/\/127\.0\.0\.1:(\d+)\/ from the lab/.exec(plain)?.[1];
    expect(port).toBeDefined();
    expect(plain).toContain(`NetworkSettings.Ports: {"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"${port}"}]}`);
    expect(plain).toContain(`HTTP/1.1 200 OK\nContent-type: text/html\n\nhello from web, through 127.0.0.1:${port}\n`);
    expect(plain).toMatch(/└─▶ docker0 ─▶ 172\.17\.0\.3:80 eth0 of web/);
    expect(plain).toContain(`-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport ${port} -j DNAT --to-destination 172.17.0.3:80`);
  });
});
