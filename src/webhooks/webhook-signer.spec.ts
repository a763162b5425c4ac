import { signatureHeader } from './webhook-signer';

describe('signatureHeader', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> (checked against openssl)', () => {
    // printf '%s' '1796000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test'
    expect(signatureHeader('whsec_test', '{"a":1}', 1_796_000_000_999)).toBe(
      't=1796000000,v1=085ae0e1f7d07c47ac6d09a4d065480abc30b77a8295721984b7a20f8b9c2000',
    );
  });

  it('changes with the body, the time and the secret', () => {
    const base = signatureHeader('k', 'body', 1_000_000);
    expect(signatureHeader('k', 'body!', 1_000_000)).not.toBe(base);
    expect(signatureHeader('k', 'body', 2_000_000)).not.toBe(base);
    expect(signatureHeader('k2', 'body', 1_000_000)).not.toBe(base);
    expect(signatureHeader('k', 'body', 1_000_999)).toBe(base);
  });
});
