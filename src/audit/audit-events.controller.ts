import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { PlayerAllowed } from '../auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { SessionIdPipe } from '../common/pipes/session-id.pipe';
import { AuditEventView, AuditTrailService } from './audit-trail.service';
import { AuditEventsEnvelopeDto } from './dto/audit-event.dto';
import { DEFAULT_EVENTS_PAGE, ListEventsQueryDto } from './dto/list-events.query.dto';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/sessions/:id/events')
export class AuditEventsController {
  constructor(private readonly trail: AuditTrailService) {}

  @Get()
  @PlayerAllowed()
  @ApiOperation({ summary: "The session's audit trail, oldest first (from PostgreSQL)" })
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
  ): Promise<{ data: AuditEventView[] }> {
    const data = await this.trail.list(
      id,
      query.after_version ?? 0,
      query.limit ?? DEFAULT_EVENTS_PAGE,
    );
    return { data };
  }
}
