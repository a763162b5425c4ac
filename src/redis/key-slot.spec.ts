import { keySlot } from './key-slot';

describe('keySlot', () => {
  it('answers what CLUSTER KEYSLOT answers', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('somekey')).toBe(11058);
  });

  it('hashes the hash tag alone, unless it is empty', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('sk:session:{abc}')).toBe(keySlot('abc'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });
});
