/** Who is calling, and what the credentials allow. */
export interface Principal {
  /** For rate limiting and logs; never a secret. */
  subject: string;
  /** Sessions this caller may act on; null: all of them. */
  sessions: string[] | null;
  /** A player's token: it may read its sessions and end its own turn, nothing more. */
  participantId: string | null;
}

export const FULL_ACCESS: Principal = { subject: 'anonymous', sessions: null, participantId: null };

/** The claims a SyncKairos JWT may carry (besides the registered ones). */
export interface SessionClaims {
  sub?: string;
  sessions?: string[] | string;
  participant_id?: string;
}

export function mayAccess(principal: Principal, sessionId: string): boolean {
  return principal.sessions === null || principal.sessions.includes(sessionId);
}
