import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Command } from '../auth/command.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { BulkStartItem, BulkStarter } from './bulk-starter';
import { BULK_START_MAX, BulkStartDto } from './dto/bulk-start.dto';
import { BulkStartEnvelopeDto } from './dto/bulk-start-result.dto';
import { BULK_START_EXAMPLES } from './dto/start-session.examples';
import { ApiIdempotencyKey, IdempotencyKey } from './idempotency-key.decorator';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/sessions')
export class BulkStartController {
  constructor(private readonly starter: BulkStarter) {}

  @Post('start')
  @HttpCode(200)
  @Command('start')
  @ApiOperation({
    summary: `Start up to ${BULK_START_MAX} sessions at one instant (a tournament round)`,
    description:
      'Every clock is anchored at the same instant: at_ms (each session scheduled, as with ' +
      'POST /v1/sessions/{id}/start), or without it the instant the request arrived. Each ' +
      'session answers for itself in `results` (in the order given), with the status and ' +
      'error body a start of it alone would have had. A token restricted to some sessions ' +
      'must reach every one (else 403, and nothing starts). An Idempotency-Key applies to ' +
      "each session's start: a repeated round answers every session's first outcome.",
  })
  @ApiBody({ type: BulkStartDto, examples: BULK_START_EXAMPLES })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: BulkStartEnvelopeDto })
  @ApiErrors('VALIDATION_ERROR', 'UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED')
  async startMany(
    @Body() dto: BulkStartDto,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: { results: BulkStartItem[] } }> {
    return { data: { results: await this.starter.start(dto.session_ids, dto.at_ms, key) } };
  }
}
