import fc from 'fast-check';
import { DomainError } from '../common/errors/domain-error';
import { SESSION_COMMANDS, SessionCommand } from './command.decorator';
import { CommandPolicy, PLAYER_COMMANDS } from './command-policy';
import { FULL_ACCESS, Principal } from './principal';

const principal = (over: Partial<Principal> = {}): Principal => ({ ...FULL_ACCESS, ...over });
const player = principal({ subject: 'jwt:sub:p', sessions: ['game'], participantId: 'white' });
const scoped = principal({ subject: 'jwt:sub:s', sessions: ['game'] });

function outcome(run: () => void): string {
  try {
    run();
    return 'allowed';
  } catch (err) {
    return (err as DomainError).code;
  }
}

describe('CommandPolicy', () => {
  const policy = new CommandPolicy();

  it.each(SESSION_COMMANDS)('full access may %s any session', (command) => {
    expect(outcome(() => policy.authorize(FULL_ACCESS, command, 'anything'))).toBe('allowed');
  });

  it.each(SESSION_COMMANDS)('a scoped token may %s its sessions only', (command) => {
    expect(outcome(() => policy.authorize(scoped, command, 'game'))).toBe('allowed');
    expect(outcome(() => policy.authorize(scoped, command, 'other'))).toBe('FORBIDDEN');
  });

  it('a bulk start needs every session it lists; a player may start none', () => {
    const two = principal({ subject: 'jwt:sub:t', sessions: ['game', 'other'] });
    expect(outcome(() => policy.authorizeAll(two, 'start', ['game', 'other']))).toBe('allowed');
    expect(outcome(() => policy.authorizeAll(scoped, 'start', ['game', 'other']))).toBe(
      'FORBIDDEN',
    );
    expect(outcome(() => policy.authorizeAll(FULL_ACCESS, 'start', ['a', 'b']))).toBe('allowed');
    expect(outcome(() => policy.authorizeAll(player, 'start', ['game']))).toBe('FORBIDDEN');
    expect(outcome(() => policy.authorizeAll(scoped, undefined, []))).toBe('FORBIDDEN');
  });

  it('a player reads, reads events, watches and switches; nothing else', () => {
    expect([...PLAYER_COMMANDS].sort()).toEqual(['read', 'read_events', 'switch', 'watch']);
    for (const command of SESSION_COMMANDS) {
      expect(outcome(() => policy.authorize(player, command, 'game'))).toBe(
        PLAYER_COMMANDS.has(command) ? 'allowed' : 'FORBIDDEN',
      );
      expect(outcome(() => policy.authorize(player, command, 'other'))).toBe('FORBIDDEN');
    }
  });

  it('a handler that names no command is for unrestricted credentials only', () => {
    expect(outcome(() => policy.authorize(FULL_ACCESS, undefined, undefined))).toBe('allowed');
    expect(outcome(() => policy.authorize(scoped, undefined, 'game'))).toBe('FORBIDDEN');
    expect(outcome(() => policy.authorize(player, undefined, 'game'))).toBe('FORBIDDEN');
  });

  it('a player never gets a command outside its set, for any session id or command', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SESSION_COMMANDS),
        fc.option(fc.string(), { nil: undefined }),
        (command: SessionCommand, session) => {
          const allowed = outcome(() => policy.authorize(player, command, session)) === 'allowed';
          const expected =
            PLAYER_COMMANDS.has(command) && (session === undefined || session === 'game');
          expect(allowed).toBe(expected);
        },
      ),
    );
  });

  describe('constrainSwitch', () => {
    it('makes a player end its own turn', () => {
      expect(policy.constrainSwitch(player, {})).toEqual({ current_participant_id: 'white' });
      expect(
        policy.constrainSwitch(player, { current_participant_id: 'white', expected_version: 3 }),
      ).toEqual({
        current_participant_id: 'white',
        expected_version: 3,
      });
    });

    it.each([['black'], [null], [5], [['white']]])(
      "refuses a player's switch for %p",
      (current) => {
        expect(
          outcome(() => policy.constrainSwitch(player, { current_participant_id: current })),
        ).toBe('FORBIDDEN');
      },
    );

    it('leaves other credentials alone', () => {
      const body = { current_participant_id: 'black' };
      expect(policy.constrainSwitch(scoped, body)).toBe(body);
    });
  });
});
