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
import { LOW_TIME_LIMITS, SYNC_MODES, SyncMode, MAX_IDLE_ROUNDS_LIMIT } from '@synckairos/clock';
import { Nullable, Opaque } from '../../common/pipes/field-kinds';
import {
  ID_MESSAGE,
  ID_PATTERN,
  INCREMENT_MAX_MS,
  MAX_PARTICIPANTS,
  TIME_MAX_MS,
  TIME_MIN_MS,
} from './limits';
import { ParticipantDto } from './participant.dto';
import { TimeControlDto } from './time-control.dto';
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

  @ApiPropertyOptional({
    type: 'integer',
    example: 600_000,
    minimum: TIME_MIN_MS,
    maximum: TIME_MAX_MS,
    description:
      "The session's budget: required in global (the shared countdown); elsewhere optional " +
      '(no rule reads it; when absent the state shows the banks together in per_participant ' +
      'and per_group, a turn in per_cycle, max_time_ms or 0 in count_up)',
  })
  // Required in global only; a null elsewhere is taken as absent.
  @ValidateIf((o: CreateSessionDto) => o.sync_mode === 'global' || o.total_time_ms != null)
  @IsInt()
  @Min(TIME_MIN_MS)
  @Max(TIME_MAX_MS)
  total_time_ms?: number;

  @ApiPropertyOptional({
    type: 'integer',
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
    type: 'integer',
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
    type: 'integer',
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
    // No `default` keyword: generators would make the field required in the request type.
    description: 'per_cycle: a timed-out turn passes on (default true) or ends the session',
  })
  @IsOptional()
  @IsBoolean()
  auto_advance?: boolean;

  @ApiPropertyOptional({
    type: TimeControlDto,
    description:
      'per_participant only: the tournament control every participant plays by, unless it ' +
      'has its own; with it, no increment_ms and no participant total_time_ms',
  })
  // The state shows `time_control: null` for none: a client may send that back.
  @Nullable()
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TimeControlDto)
  time_control?: TimeControlDto;

  @ApiPropertyOptional({
    type: 'integer',
    example: 3,
    minimum: 1,
    maximum: MAX_IDLE_ROUNDS_LIMIT,
    description:
      "per_cycle with auto_advance: a session in which every participant's turn timed out in " +
      'a row, round after round, max_idle_rounds times ends as expired (nobody plays)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_IDLE_ROUNDS_LIMIT)
  max_idle_rounds?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { table: 7 },
    description: 'Opaque to the server, at most 8 KiB as JSON',
  })
  @IsOptional()
  @IsObject()
  @Opaque()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    example: 30_000,
    minimum: LOW_TIME_LIMITS.minMs,
    maximum: LOW_TIME_LIMITS.maxMs,
    description:
      'Push session:low_time (and the low_time webhook) the instant the running clock reaches ' +
      'this, if it was above it when that clock started: once per turn for banks and turns, ' +
      'once per session for the global countdown and the count_up cap; under a time control ' +
      'the main bank only',
  })
  @IsOptional()
  @IsInt()
  @Min(LOW_TIME_LIMITS.minMs)
  @Max(LOW_TIME_LIMITS.maxMs)
  low_time_ms?: number;

  @ApiPropertyOptional({ type: WebhookDto, description: "Where this session's events are POSTed" })
  @ValidateIf((_, value) => value !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookDto)
  webhook?: WebhookDto;
}
