import { createHmac } from 'node:crypto';

/**
 * The `SyncKairos-Signature` header of one attempt: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "t.body">`. The time is signed with the body, so a receiver can refuse an old request replayed
 * (README: "Verify a signature").
 */
export function signatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
