/**
 * The server's own clock rules, imported from the repository (src/clock) and inlined by the
 * bundler, so that the SDK's live values follow the rules the server answers with. This file is
 * the only import of them: when the clock moves to its own workspace package, only these paths
 * change (to '@synckairos/clock').
 */
export { settle } from '../../../src/clock/settle';
export { anchorFromView } from '../../../src/clock/anchor-from-view';
export { Transition } from '../../../src/clock/transition';
export { toView } from '../../../src/clock/session-view';
export type { SessionView, ParticipantView, GroupView } from '../../../src/clock/session-view';
export type {
  ClockState,
  ClockParticipant,
  ClockGroup,
  SyncMode,
  SessionStatus,
  TimeoutKind,
} from '../../../src/clock/clock.types';
