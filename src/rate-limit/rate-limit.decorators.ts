import { SetMetadata } from '@nestjs/common';

export const PER_SESSION_LIMIT = 'synckairos:per-session-limit';

/** The route also counts against the tighter per-session limit (switch). */
export const PerSessionLimit = () => SetMetadata(PER_SESSION_LIMIT, true);
