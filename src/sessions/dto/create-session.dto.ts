import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SYNC_MODES, SyncMode } from '../../clock/clock.types';
import {
  ID_MESSAGE,
  ID_PATTERN,
  INCREMENT_MAX_MS,
  MAX_PARTICIPANTS,
  TIME_MAX_MS,
  TIME_MIN_MS,
} from './limits';
import { ParticipantDto } from './participant.dto';
import { WebhookDto } from './webhook.dto';

export class CreateSessionDto {
  @ApiProperty({ example: 'game-42', pattern: ID_PATTERN.source })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  session_id!: string;

  @ApiProperty({ enum: SYNC_MODES, example: 'per_participant' })
  @IsIn(SYNC_MODES)
  sync_mode!: SyncMode;

  @ApiProperty({
    type: [ParticipantDto],
    minItems: 1,
    maxItems: MAX_PARTICIPANTS,
    example: [
      { participant_id: 'white', total_time_ms: 300_000 },
      { participant_id: 'black', total_time_ms: 300_000 },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PARTICIPANTS)
  @ValidateNested({ each: true })
  @Type(() => ParticipantDto)
  participants!: ParticipantDto[];

  @ApiProperty({
    example: 600_000,
    minimum: TIME_MIN_MS,
    maximum: TIME_MAX_MS,
    description: "The session's budget: the shared countdown in global",
  })
  @IsInt()
  @Min(TIME_MIN_MS)
  @Max(TIME_MAX_MS)
  total_time_ms!: number;

  @ApiPropertyOptional({
    example: 30_000,
    minimum: TIME_MIN_MS,
    maximum: TIME_MAX_MS,
    description: 'Required in per_cycle',
  })
  @IsOptional()
  @IsInt()
  @Min(TIME_MIN_MS)
  @Max(TIME_MAX_MS)
  time_per_cycle_ms?: number;

  @ApiPropertyOptional({
    example: 2000,
    minimum: 0,
    maximum: INCREMENT_MAX_MS,
    description: 'Fischer increment',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(INCREMENT_MAX_MS)
  increment_ms?: number;

  @ApiPropertyOptional({
    example: 3_600_000,
    minimum: TIME_MIN_MS,
    maximum: TIME_MAX_MS,
    description: 'count_up cap',
  })
  @IsOptional()
  @IsInt()
  @Min(TIME_MIN_MS)
  @Max(TIME_MAX_MS)
  max_time_ms?: number;

  @ApiPropertyOptional({
    example: true,
    default: true,
    description: 'per_cycle: a timed-out turn passes on',
  })
  @IsOptional()
  @IsBoolean()
  auto_advance?: boolean;

  @ApiPropertyOptional({
    example: { table: 7 },
    description: 'Opaque to the server, at most 8 KiB as JSON',
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ type: WebhookDto, description: "Where this session's events are POSTed" })
  @ValidateIf((_, value) => value !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookDto)
  webhook?: WebhookDto;
}
