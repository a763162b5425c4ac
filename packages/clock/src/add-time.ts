import { DomainError } from './domain-error';
import { AddTimeCommand, ClockGroup, ClockParticipant, ClockState } from './clock.types';
import { resetByoyomiOnBankChange } from './controlled-turn';
import { findGroup, findParticipant } from './running-clock';
import { expireGroup, expireParticipant } from './settle';
import { controlOf } from './time-control';
import { Transition } from './transition';

interface Bank {
  total_time_ms: number;
  time_used_ms: number;
  has_expired: boolean;
}

/**
 * Gives (or, with a negative `ms`, takes) time. The state must be anchored at `now` already.
 * Taking never goes below zero; a bank taken to zero runs out at `now`. Giving time to a bank
 * that ran out brings it back into the rotation.
 */
export function applyAddTime(t: Transition, cmd: AddTimeCommand, now: number): void {
  const s = t.state;
  switch (s.sync_mode) {
    case 'per_participant': {
      const p = requireParticipant(s, cmd);
      if (cmd.group_id !== undefined) throw wrongTarget('group_id', s);
      const control = controlOf(s, p);
      const wasEmpty = bankEmpty(p);
      const applied = adjustBank(p, cmd.ms);
      // Section 7: added time goes to the main bank; with byo-yomi, a bank that empties or
      // fills again puts byo-yomi back as it stands on entry (this turn's byo-yomi forgiven).
      if (control && applied !== 0 && wasEmpty !== bankEmpty(p))
        resetByoyomiOnBankChange(p, control);
      t.record('time_added', now, {
        participant_id: p.participant_id,
        details: detail(cmd, applied),
      });
      if (bankEmpty(p) && !p.has_expired && !control?.byoyomi) expireParticipant(t, p, now);
      return;
    }
    case 'per_group': {
      const { group, member } = requireGroup(s, cmd);
      const applied = adjustBank(group, cmd.ms);
      if (!group.has_expired) for (const m of membersOf(s, group)) m.has_expired = false;
      t.record('time_added', now, {
        participant_id: cmd.participant_id ?? null,
        group_id: group.group_id,
        details: detail(cmd, applied),
      });
      if (bankEmpty(group) && !group.has_expired && member) expireGroup(t, member, now);
      return;
    }
    case 'per_cycle':
      return addToTurn(t, cmd, now);
    case 'global':
    case 'count_up':
      return addToSessionClock(t, cmd, now);
  }
}

function adjustBank(bank: Bank, ms: number): number {
  const left = Math.max(0, bank.total_time_ms - bank.time_used_ms);
  const applied = Math.max(ms, 0 - left); // 0 - left: never -0 from an empty bank
  bank.total_time_ms += applied;
  if (applied > 0 && bank.has_expired) bank.has_expired = false;
  return applied;
}

function bankEmpty(bank: Bank): boolean {
  return bank.total_time_ms - bank.time_used_ms <= 0;
}

function addToTurn(t: Transition, cmd: AddTimeCommand, now: number): void {
  const s = t.state;
  if (cmd.group_id !== undefined) throw wrongTarget('group_id', s);
  if (s.active_participant_id === null) {
    throw DomainError.invalidTransition(s.status, 'add time to a turn before the session starts');
  }
  if (cmd.participant_id !== undefined && cmd.participant_id !== s.active_participant_id) {
    throw DomainError.invalidField(
      'participant_id',
      'in per_cycle only the active turn can be given time',
    );
  }
  const left = Math.max(0, (s.time_per_cycle_ms ?? 0) - s.turn_used_ms);
  const applied = Math.max(cmd.ms, -left);
  s.turn_used_ms -= applied;
  t.record('time_added', now, {
    participant_id: s.active_participant_id,
    details: detail(cmd, applied),
  });
}

function addToSessionClock(t: Transition, cmd: AddTimeCommand, now: number): void {
  const s = t.state;
  if (cmd.group_id !== undefined) throw wrongTarget('group_id', s);
  if (cmd.participant_id !== undefined) throw wrongTarget('participant_id', s);
  const left = (limit: number) => Math.max(0, limit - s.elapsed_ms);
  if (s.sync_mode === 'global') {
    const applied = Math.max(cmd.ms, -left(s.total_time_ms));
    s.total_time_ms += applied;
    t.record('time_added', now, { details: detail(cmd, applied) });
    return;
  }
  if (s.max_time_ms === null) {
    throw DomainError.invalidField('ms', 'this count_up session has no max_time_ms to extend');
  }
  const applied = Math.max(cmd.ms, -left(s.max_time_ms));
  s.max_time_ms += applied;
  t.record('time_added', now, { details: detail(cmd, applied) });
}

function requireParticipant(s: ClockState, cmd: AddTimeCommand): ClockParticipant {
  if (cmd.participant_id === undefined) {
    throw DomainError.invalidField('participant_id', `required in ${s.sync_mode} mode`);
  }
  const p = findParticipant(s, cmd.participant_id);
  if (!p)
    throw DomainError.invalidField(
      'participant_id',
      `participant ${cmd.participant_id} is not in this session`,
    );
  return p;
}

function requireGroup(
  s: ClockState,
  cmd: AddTimeCommand,
): { group: ClockGroup; member: ClockParticipant | undefined } {
  if (cmd.group_id !== undefined && cmd.participant_id !== undefined) {
    throw DomainError.invalidField('group_id', 'give either participant_id or group_id, not both');
  }
  const member = cmd.participant_id === undefined ? undefined : requireParticipant(s, cmd);
  const groupId = member?.group_id ?? cmd.group_id;
  if (groupId === undefined)
    throw DomainError.invalidField('group_id', 'required in per_group mode');
  const group = findGroup(s, groupId);
  if (!group) throw DomainError.invalidField('group_id', `group ${groupId} is not in this session`);
  const active = findParticipant(s, s.active_participant_id);
  const drainer = active?.group_id === group.group_id ? active : membersOf(s, group)[0];
  return { group, member: member ?? drainer };
}

function membersOf(s: ClockState, group: ClockGroup): ClockParticipant[] {
  return s.participants.filter((p) => p.group_id === group.group_id);
}

function wrongTarget(field: string, s: ClockState): DomainError {
  return DomainError.invalidField(field, `not a valid target in ${s.sync_mode} mode`);
}

function detail(cmd: AddTimeCommand, applied: number): Record<string, unknown> {
  return { requested_ms: cmd.ms, applied_ms: applied };
}
