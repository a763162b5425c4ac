import fc from 'fast-check';
import { parseAllowedHosts } from './allowed-hosts';
import { Resolver, SsrfGuard, WebhookTargetRefused } from './ssrf-guard';

/** A resolver that knows only the names given (and counts its calls). */
function fakeDns(table: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (host: string) => {
    calls.push(host);
    const found = table[host];
    if (found === undefined)
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }),
      );
    return Promise.resolve(
      found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return Object.assign(resolve, { calls });
}

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookTargetRefused);
  return err as WebhookTargetRefused;
};

describe('SsrfGuard', () => {
  const dns = fakeDns({
    'hooks.example': ['93.184.216.34', '2606:2800:220:1::1'],
    'rebind.example': ['93.184.216.34', '10.0.0.8'],
    'internal.example': ['10.1.2.3'],
    'metadata.example': ['169.254.169.254'],
    'mapped.example': ['::ffff:192.168.1.1'],
    'hooks.internal': ['10.9.9.9'],
    localhost: ['::1', '127.0.0.1'],
  });
  const guard = new SsrfGuard(parseAllowedHosts('hooks.internal, 10.1.2.3, 127.0.0.1'), dns);

  it('lets an https URL through when every address of its host is public, and returns them', async () => {
    const target = await guard.check('https://hooks.example/clock?x=1');
    expect(target.host).toBe('hooks.example');
    expect(target.url.pathname).toBe('/clock');
    expect(target.addresses).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
  });

  it('refuses plain http unless the host is listed', async () => {
    expect((await refusal(guard.check('http://hooks.example/'))).kind).toBe('invalid');
    await expect(guard.check('http://hooks.internal:8080/x')).resolves.toMatchObject({
      addresses: [{ address: '10.9.9.9', family: 4 }],
    });
    await expect(guard.check('http://127.0.0.1:4000/')).resolves.toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it.each([
    'https://10.0.0.1/',
    'https://172.16.5.4/',
    'https://192.168.0.10/',
    'https://127.0.0.2/',
    'https://169.254.169.254/latest/meta-data/',
    'https://0.0.0.0/',
    'https://100.64.0.1/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://[::1]/',
    'https://[::]/',
    'https://[fe80::1]/',
    'https://[fd00:ec2::254]/',
    'https://[::ffff:10.0.0.1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://[2002:a9fe:a9fe::1]/',
    'https://2130706434/',
    'https://0x7f.2/',
    'https://017700000002/',
  ])('refuses %s: a non-public address written as a literal', async (url) => {
    expect((await refusal(guard.check(url))).kind).toBe('not_allowed');
  });

  it('refuses a name that resolves to a private, loopback or link-local address, even one of several', async () => {
    for (const host of ['rebind.example', 'metadata.example', 'mapped.example', 'localhost']) {
      const err = await refusal(guard.check(`https://${host}/hook`));
      expect(err.kind).toBe('not_allowed');
      expect(err.message).toContain(host);
    }
  });

  it('lets a name through only when the name itself is listed, not the address it resolves to', async () => {
    expect((await refusal(guard.check('https://internal.example/'))).kind).toBe('not_allowed');
    await expect(guard.check('https://10.1.2.3/')).resolves.toMatchObject({
      addresses: [{ address: '10.1.2.3', family: 4 }],
    });
  });

  it('refuses what is not an http(s) URL to a host, and URLs with credentials', async () => {
    for (const url of [
      'not a url',
      '/relative',
      'ftp://hooks.example/',
      'file:///etc/passwd',
      'https://user:pw@hooks.example/',
    ]) {
      expect((await refusal(guard.check(url))).kind).toBe('invalid');
    }
  });

  it('tells a name that does not exist from a resolver that did not answer', async () => {
    expect((await refusal(guard.check('https://nowhere.example/'))).kind).toBe('unresolvable');
    const down = new SsrfGuard(parseAllowedHosts(''), () =>
      Promise.reject(Object.assign(new Error('queryA EAI_AGAIN'), { code: 'EAI_AGAIN' })),
    );
    expect((await refusal(down.check('https://hooks.example/'))).kind).toBe('dns');
    const empty = new SsrfGuard(parseAllowedHosts(''), () => Promise.resolve([]));
    expect((await refusal(empty.check('https://hooks.example/'))).kind).toBe('unresolvable');
  });

  it('resolves a name on every check, so a changed answer is seen (DNS rebinding)', async () => {
    let answer = '93.184.216.34';
    const flipping = new SsrfGuard(parseAllowedHosts(''), () =>
      Promise.resolve([{ address: answer, family: 4 }]),
    );
    await expect(flipping.check('https://flip.example/')).resolves.toBeDefined();
    answer = '127.0.0.1';
    expect((await refusal(flipping.check('https://flip.example/'))).kind).toBe('not_allowed');
  });

  const octet = fc.integer({ min: 0, max: 255 });
  const inRange = (first: number[], bits: number) =>
    fc.tuple(octet, octet, octet, octet).map((o) => {
      const a = [...first, ...o.slice(first.length)];
      if (bits === 12) a[1] = 16 + (o[1] % 16);
      if (bits === 10) a[1] = 64 + (o[1] % 64);
      return a.join('.');
    });
  const nonPublic = fc.oneof(
    inRange([10], 8),
    inRange([172], 12),
    inRange([192, 168], 16),
    inRange([127], 8),
    inRange([169, 254], 16),
    inRange([0], 8),
    inRange([100], 10),
  );

  it('refuses every address of the private, loopback, link-local, CGNAT and "this network" ranges, in every form', async () => {
    await fc.assert(
      fc.asyncProperty(nonPublic, async (address) => {
        const none = new SsrfGuard(parseAllowedHosts(''), () =>
          Promise.resolve([{ address, family: 4 }]),
        );
        for (const url of [
          `https://${address}/`,
          `https://[::ffff:${address}]/`,
          'https://any.example/',
        ]) {
          expect((await refusal(none.check(url))).kind).toBe('not_allowed');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lets every address of the public ranges through', async () => {
    const publicAddress = fc
      .tuple(fc.integer({ min: 1, max: 9 }), octet, octet, fc.integer({ min: 1, max: 254 }))
      .map((o) => o.join('.'));
    await fc.assert(
      fc.asyncProperty(publicAddress, async (address) => {
        await expect(guard.check(`https://${address}/`)).resolves.toMatchObject({
          addresses: [{ address, family: 4 }],
        });
      }),
      { numRuns: 200 },
    );
  });
});
