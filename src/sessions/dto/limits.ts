/** Limits of contract section 4. */
export const TIME_MIN_MS = 1000;
export const TIME_MAX_MS = 86_400_000;
export const INCREMENT_MAX_MS = 60_000;
export const MAX_PARTICIPANTS = 1000;
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ID_MESSAGE = 'must be 1-64 characters of [A-Za-z0-9_-]';
