import fc from 'fast-check';
import { DomainError } from '../common/errors/domain-error';
import { toSessionClaims } from './jwt-claims';

const refusal = (payload: unknown): string => {
  try {
    toSessionClaims(payload);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('UNAUTHORIZED');
    return (err as DomainError).message;
  }
};

describe('toSessionClaims', () => {
  it('reads the claims of a well-formed token', () => {
    expect(
      toSessionClaims({
        sub: 'alice',
        sessions: ['a', 'b'],
        participant_id: 'white',
        exp: 10,
        iat: 1,
      }),
    ).toEqual({ sub: 'alice', sessions: ['a', 'b'], participant_id: 'white', exp: 10 });
    expect(toSessionClaims({ sessions: 'a' })).toEqual({ sessions: ['a'] });
    expect(toSessionClaims({})).toEqual({});
  });

  it.each([
    ['participant_id', { participant_id: 12345 }],
    ['participant_id', { participant_id: ['black'] }],
    ['participant_id', { participant_id: '' }],
    ['participant_id', { participant_id: 'has space' }],
    ['participant_id', { participant_id: null }],
    ['sessions', { sessions: 5 }],
    ['sessions', { sessions: [1] }],
    ['sessions', { sessions: { a: 1 } }],
    ['sub', { sub: 1 }],
    ['exp', { exp: '1' }],
    ['exp', { exp: Number.NaN }],
    ['aud', { aud: [1] }],
    ['iss', { iss: {} }],
  ])('a %s of the wrong type is a 401 naming it', (claim, payload) => {
    expect(refusal(payload)).toContain(`${claim} claim`);
  });

  it.each([['text'], [null], [[1, 2]], [42]])(
    'a payload that is not an object (%p) is a 401',
    (p) => {
      expect(refusal(p)).toMatch(/payload/);
    },
  );

  it('any participant_id claim that is accepted is an id', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const result = refusal({ participant_id: value });
        if (result === 'accepted') expect(value).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      }),
    );
  });
});
