/** The clock's public surface: pure rules from a state, a command and `now` (contract §2, §3, §7). */
export * from './add-time';
export * from './anchor-from-view';
export * from './apply-command';
export * from './clock.types';
export * from './controlled-turn';
export * from './create-session';
export * from './domain-error';
export * from './error-codes';
export * from './idle-rounds';
export * from './running-clock';
export * from './session-view';
export * from './settle';
export * from './time-control-scope';
export * from './time-control.rules';
export * from './time-control';
export * from './time-control.types';
export * from './transition';
