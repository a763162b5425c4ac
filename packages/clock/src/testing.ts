/** Test fixtures of the clock, for the specs of the server and the SDK. */
export * from './clock.fixtures';
