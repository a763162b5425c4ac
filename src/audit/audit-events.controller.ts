import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Command } from '../auth/command.decorator';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { SessionIdPipe } from '../common/pipes/session-id.pipe';
import { AuditEventView, AuditTrailService } from './audit-trail.service';
import { AuditEventsEnvelopeDto } from './dto/audit-event.dto';
import { DEFAULT_EVENTS_PAGE, ListEventsQueryDto } from './dto/list-events.query.dto';
import { encodeEventsCursor, pageStart } from './events-cursor';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/sessions/:id/events')
export class AuditEventsController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get()
  @Command('read_events')
  @ApiOperation({
    summary: "The session's audit trail, oldest first (from PostgreSQL)",
    description:
      'A page holds at most `limit` events and about EVENTS_PAGE_MAX_BYTES of JSON (1 MiB by ' +
      'default; at least one event). When more events are recorded, `next_cursor` is given: ' +
      'pass it as `cursor` for the next page (or pass the last version as `after_version`).',
  })
  @ApiParam({ name: 'id', example: 'game-42' })
  @ApiOkResponse({ type: AuditEventsEnvelopeDto })
  @ApiErrors(
    'VALIDATION_ERROR',
    'SESSION_NOT_FOUND',
    'UNAUTHORIZED',
    'FORBIDDEN',
    'RATE_LIMITED',
    'UNAVAILABLE',
  )
  async list(
    @Param('id', SessionIdPipe) id: string,
    @Query() query: ListEventsQueryDto,
  ): Promise<{ data: AuditEventView[]; next_cursor?: string }> {
    const page = await this.trail.list(id, pageStart(query), query.limit ?? DEFAULT_EVENTS_PAGE);
    const last = page.events.at(-1);
    if (!page.more || last === undefined) return { data: page.events };
    return { data: page.events, next_cursor: encodeEventsCursor(last.version) };
  }
}
