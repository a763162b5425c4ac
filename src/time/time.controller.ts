import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { TimeSource } from '../common/time/time-source';

export const SERVER_VERSION = '2.0.0';
export const DRIFT_TOLERANCE_MS = 50;

export class ServerTimeDto {
  @ApiProperty({ type: 'integer', format: 'int64', example: 1795399212345 })
  timestamp_ms!: number;
  @ApiProperty({ example: SERVER_VERSION }) server_version!: string;
  @ApiProperty({ type: 'integer', example: DRIFT_TOLERANCE_MS }) drift_tolerance_ms!: number;
}

export class ServerTimeResponseDto extends ServerTimeDto {
  @ApiProperty({ type: ServerTimeDto }) data!: ServerTimeDto;
}

/**
 * The server's clock, for NTP-style offset estimation. The fields are given both at the top
 * level (what time-sync clients read) and under `data` (the envelope of every other answer).
 * 503 while this instance's clock is not in step with Redis: a wrong time is worse than none.
 */
@ApiTags('time')
@Public()
@Controller('v1/time')
export class TimeController {
  constructor(private readonly time: TimeSource) {}

  @Get()
  @ApiOperation({ summary: "The server clock (epoch ms), for estimating this client's offset" })
  @ApiOkResponse({ type: ServerTimeResponseDto })
  @ApiErrors('UNAVAILABLE')
  now(): ServerTimeResponseDto {
    const data = {
      timestamp_ms: this.time.trustedNow(),
      server_version: SERVER_VERSION,
      drift_tolerance_ms: DRIFT_TOLERANCE_MS,
    };
    return { ...data, data };
  }
}
