import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
} from 'class-validator';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../../webhooks/webhook-event-types';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * A session's own webhook (contract section 9). The URL's scheme, host and resolved addresses
 * are checked after this (WebhookTargetPipe): they need the configuration and DNS.
 */
export class WebhookDto {
  @ApiProperty({
    example: 'https://game.example/hooks/clock',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    description:
      'https, to a public address; http or private addresses only for hosts in WEBHOOK_ALLOWED_HOSTS',
  })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;

  /** Absent: every type. Given: a non-empty subset (an empty list would never be called). */
  @ApiProperty({
    required: false,
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['session_expired', 'session_completed', 'low_time'],
    description: 'The event types to send; default all',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[] = [...WEBHOOK_EVENT_TYPES];
}
