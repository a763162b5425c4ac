import request from 'supertest';
import { App } from 'supertest/types';

/** Small helpers over supertest for the contract's REST API. */
export class Api {
  constructor(private readonly server: App) {}

  create(body: Record<string, unknown>) {
    return request(this.server).post('/v1/sessions').send(body);
  }

  get(id: string) {
    return request(this.server).get(`/v1/sessions/${id}`);
  }

  command(id: string, action: string, body?: Record<string, unknown>) {
    const req = request(this.server).post(`/v1/sessions/${id}/${action}`);
    return body === undefined ? req : req.send(body);
  }

  delete(id: string) {
    return request(this.server).delete(`/v1/sessions/${id}`);
  }

  raw() {
    return request(this.server);
  }
}

export function chess(
  id: string,
  bank = 60_000,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return uneven(id, bank, bank, extra);
}

/** A chess session whose two banks differ: each switch moves the deadline earlier, then later. */
export function uneven(
  id: string,
  white: number,
  black: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    session_id: id,
    sync_mode: 'per_participant',
    participants: [
      { participant_id: 'white', total_time_ms: white },
      { participant_id: 'black', total_time_ms: black },
    ],
    total_time_ms: white + black,
    ...extra,
  };
}
