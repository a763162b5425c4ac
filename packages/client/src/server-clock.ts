/**
 * The server's own clock rules, from the workspace package @synckairos/clock, inlined by the
 * bundler, so that the SDK's live values follow the rules the server answers with. This file is
 * the SDK's only import of them.
 */
export { settle, anchorFromView, Transition, toView } from '@synckairos/clock';
export type {
  SessionView,
  ParticipantView,
  GroupView,
  ClockState,
  ClockParticipant,
  ClockGroup,
  SyncMode,
  SessionStatus,
  TimeoutKind,
} from '@synckairos/clock';
