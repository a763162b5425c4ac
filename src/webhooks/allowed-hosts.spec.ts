import { canonicalAddress, normalizeHost, parseAllowedHosts } from './allowed-hosts';

describe('parseAllowedHosts', () => {
  it('takes host names and addresses, comma or space separated, in one canonical form', () => {
    const allowed = parseAllowedHosts(
      ' Hooks.Internal., 127.0.0.1 ,[::1]  ::ffff:10.0.0.7,localhost',
    );
    expect([...allowed.names].sort()).toEqual(['hooks.internal', 'localhost']);
    expect([...allowed.addresses].sort()).toEqual(['10.0.0.7', '127.0.0.1', '::1']);
  });

  it('is empty for an empty variable', () => {
    const allowed = parseAllowedHosts('');
    expect(allowed.names.size + allowed.addresses.size).toBe(0);
  });

  it('drops a scheme, a port or a path written with an entry: every port is allowed', () => {
    const allowed = parseAllowedHosts('http://hooks.internal:8080/x, 127.0.0.1:9000, [::1]:3000');
    expect([...allowed.names]).toEqual(['hooks.internal']);
    expect([...allowed.addresses].sort()).toEqual(['127.0.0.1', '::1']);
  });

  it.each(['bad!host', '-x.y', 'a..b', 'http://', ':8080'])('refuses %s', (entry) =>
    expect(() => parseAllowedHosts(entry)).toThrow(entry),
  );
});

describe('canonicalAddress and normalizeHost', () => {
  it('write every form of an address the same way, and refuse what is not one', () => {
    expect(canonicalAddress('[::ffff:7f00:1]')).toBe('127.0.0.1');
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('127.1')).toBeNull();
    expect(canonicalAddress('example.com')).toBeNull();
    expect(normalizeHost('[::1]')).toBe('::1');
    expect(normalizeHost('Example.COM.')).toBe('example.com');
  });
});
