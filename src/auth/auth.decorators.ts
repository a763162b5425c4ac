import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'synckairos:public';
export const PLAYER_ROUTE = 'synckairos:player';

/** No credentials needed: probes, metrics, the clock, the API docs. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** A player's token (one participant) may call this route on its own sessions. */
export const PlayerAllowed = () => SetMetadata(PLAYER_ROUTE, true);
