/** Who is calling, and what the credentials allow. */
export interface Principal {
  /** For rate limiting and logs; never a secret (keys and tokens appear only as hashes). */
  subject: string;
  /** Sessions this caller may act on; null: all of them. */
  sessions: string[] | null;
  /** A player's token: it may read its sessions and end its own turn, nothing more. */
  participantId: string | null;
  /** When the credentials stop being valid (a token's `exp`, epoch ms); null: never. */
  expiresAtMs: number | null;
}

export const FULL_ACCESS: Principal = {
  subject: 'anonymous',
  sessions: null,
  participantId: null,
  expiresAtMs: null,
};

export function mayAccess(principal: Principal, sessionId: string): boolean {
  return principal.sessions === null || principal.sessions.includes(sessionId);
}
