import { sleep } from './e2e-app';

/** Polls until `check` returns a value that `done` accepts, or fails after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await check();
  while (!done(last)) {
    if (Date.now() > until)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`,
      );
    await sleep(everyMs);
    last = await check();
  }
  return last;
}
