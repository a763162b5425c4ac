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
import { DEFAULT_DELIVERIES_PAGE, ListDeliveriesQueryDto } from './dto/list-deliveries.query.dto';
import { WebhookDeliveriesEnvelopeDto } from './dto/webhook-delivery.dto';
import { DeliveryView, WebhookDeliveryLog } from './webhook-delivery-log';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/sessions/:id/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly log: WebhookDeliveryLog) {}

  @Get()
  @Command('read_webhook_deliveries')
  @ApiOperation({ summary: "The session's webhook delivery attempts, oldest first" })
  @ApiParam({ name: 'id', example: 'game-42' })
  @ApiOkResponse({ type: WebhookDeliveriesEnvelopeDto })
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
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<{ data: DeliveryView[] }> {
    const data = await this.log.list(
      id,
      query.after_id ?? 0,
      query.limit ?? DEFAULT_DELIVERIES_PAGE,
    );
    return { data };
  }
}
