import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'synckairos:public';

/** No credentials needed: probes, metrics, the clock, the API docs. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
