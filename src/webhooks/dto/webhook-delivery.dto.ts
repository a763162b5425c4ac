import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES } from '../entities/webhook-delivery.entity';

/** Documentation of one attempt, as `GET /v1/sessions/:id/webhook-deliveries` lists it. */
export class WebhookDeliveryDto {
  @ApiProperty({ example: 17, description: 'Increasing: the cursor of the next page' }) id!: number;
  @ApiProperty({ example: 'game-42:3:cycle_switched', description: 'Also the Idempotency-Key' })
  event_id!: string;
  @ApiProperty({ example: 'game-42' }) session_id!: string;
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({ example: 'cycle_switched' }) type!: string;
  @ApiProperty({ example: 1, description: '1 for the first attempt of the event' })
  attempt!: number;
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    example: 'failed',
    description: 'failed: tried again at next_try_at; given_up: not tried again',
  })
  status!: string;
  @ApiProperty({ example: 503, nullable: true, description: 'null when no answer came' })
  response_code!: number | null;
  @ApiProperty({ example: null, nullable: true, description: 'Why no answer came' })
  error!: string | null;
  @ApiProperty({
    example: 'upstream unavailable',
    nullable: true,
    description: 'At most 256 bytes',
  })
  response_excerpt!: string | null;
  @ApiProperty({ example: 'https://game.example/hooks/clock' }) url!: string;
  @ApiProperty({ example: 42 }) duration_ms!: number;
  @ApiProperty({ example: '2026-11-22T10:00:12.400Z' }) attempted_at!: string;
  @ApiProperty({ example: '2026-11-22T10:00:14.400Z', nullable: true }) next_try_at!: string | null;
}

export class WebhookDeliveriesEnvelopeDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) data!: WebhookDeliveryDto[];
}
