import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SESSION_STATUSES, SYNC_MODES } from '@synckairos/clock';
import { TimeControlDto } from './time-control.dto';

/** Live byo-yomi of a participant in it: periods (Japanese) or moves (Canadian) left. */
export class ByoyomiStateDto {
  @ApiPropertyOptional({ example: 4, description: 'japanese: periods_left live' })
  periods_left?: number;
  @ApiPropertyOptional({ example: 7, description: 'canadian: moves left in this period' })
  moves_left?: number;
  @ApiProperty({ example: 21_500 }) period_remaining_ms!: number;
}
import { WebhookDto } from './webhook.dto';

/** Documentation of the state every endpoint and socket event carries (contract section 2). */
export class ParticipantStateDto {
  @ApiProperty({ example: 'white' }) participant_id!: string;
  @ApiProperty({ type: 'integer', example: 0 }) participant_index!: number;
  @ApiPropertyOptional({ example: 'red' }) group_id?: string;
  @ApiProperty({
    type: 'integer',
    example: 302_000,
    description: 'Initial bank + increments + added time',
  })
  total_time_ms!: number;
  @ApiProperty({ type: 'integer', example: 12_345, description: 'Live, at server_time_ms' })
  time_used_ms!: number;
  @ApiProperty({
    type: 'integer',
    example: 289_655,
    nullable: true,
    description: 'Live; null only in count_up without a cap',
  })
  time_remaining_ms!: number | null;
  @ApiProperty({ type: 'integer', example: 1, description: 'Completed turns' })
  cycle_count!: number;
  @ApiProperty({ example: false }) is_active!: boolean;
  @ApiProperty({ example: false }) has_expired!: boolean;
  @ApiPropertyOptional({
    type: TimeControlDto,
    description: 'Under a time control: its effective one (its own, else the session’s)',
  })
  time_control?: TimeControlDto;
  @ApiPropertyOptional({
    type: 'integer',
    example: 0,
    description: 'Time control: the 0-based stage of its next move (move cycle_count + 1)',
  })
  stage_index?: number;
  @ApiPropertyOptional({
    type: 'integer',
    example: 0,
    description: 'Time control, live: what is left of this turn’s delay; 0 when none or waiting',
  })
  delay_remaining_ms?: number;
  @ApiPropertyOptional({
    type: ByoyomiStateDto,
    nullable: true,
    description:
      'Time control with byo-yomi, live while in it (time_remaining_ms is then 0); null on main time',
  })
  byoyomi_state?: ByoyomiStateDto | null;
  @ApiPropertyOptional({
    type: 'integer',
    example: 5,
    description:
      'Japanese byo-yomi: the periods left as of the start of its current (or next) turn, ' +
      'also on main time (byoyomi_state.periods_left is the live count)',
  })
  byoyomi_periods_left?: number;
}

export class GroupStateDto {
  @ApiProperty({ example: 'red' }) group_id!: string;
  @ApiProperty({ type: 'integer', example: 600_000 }) total_time_ms!: number;
  @ApiProperty({ type: 'integer', example: 42_000 }) time_used_ms!: number;
  @ApiProperty({ type: 'integer', example: 558_000 }) time_remaining_ms!: number;
  @ApiProperty({ example: false }) has_expired!: boolean;
  @ApiProperty({ example: true }) is_active!: boolean;
}

export class SessionStateDto {
  @ApiProperty({ example: 'game-42' }) session_id!: string;
  @ApiProperty({ enum: SYNC_MODES, example: 'per_participant' }) sync_mode!: string;
  @ApiProperty({ enum: SESSION_STATUSES, example: 'running' }) status!: string;
  @ApiProperty({ type: 'integer', example: 3, description: '1 at creation, +1 on every change' })
  version!: number;
  @ApiProperty({ type: [ParticipantStateDto] }) participants!: ParticipantStateDto[];
  @ApiPropertyOptional({ type: [GroupStateDto], description: 'per_group only' })
  groups?: GroupStateDto[];
  @ApiProperty({
    type: String,
    example: 'black',
    nullable: true,
    description: 'Whose turn it is; null before the start and after the end',
  })
  active_participant_id!: string | null;
  @ApiProperty({ type: 'integer', example: 600_000 }) total_time_ms!: number;
  @ApiProperty({
    type: 'integer',
    example: null,
    nullable: true,
    description: 'The budget of one turn (per_cycle)',
  })
  time_per_cycle_ms!: number | null;
  @ApiProperty({ type: 'integer', example: 2000 }) increment_ms!: number;
  @ApiPropertyOptional({ type: 'integer', example: 3_600_000, description: 'count_up cap' })
  max_time_ms?: number;
  @ApiProperty({ example: true }) auto_advance!: boolean;
  @ApiProperty({
    type: TimeControlDto,
    nullable: true,
    description: 'The session’s time control (per_participant); null when none',
  })
  time_control!: TimeControlDto | null;
  @ApiPropertyOptional({
    type: 'integer',
    example: 3,
    description: 'per_cycle: idle rounds (every turn timed out in a row) that end the session',
  })
  max_idle_rounds?: number;
  @ApiPropertyOptional({
    type: 'integer',
    example: 0,
    description: 'per_cycle: turns that timed out in a row since the last switch',
  })
  consecutive_timeouts?: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-11-22T10:00:12.345Z',
    nullable: true,
    description: "The anchor: when the current turn's clock started running; null unless running",
  })
  cycle_started_at!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: '2026-11-22T10:00:00.000Z',
    nullable: true,
  })
  session_started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: null, nullable: true })
  session_completed_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-22T09:59:58.000Z' })
  created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-11-22T10:00:12.345Z' })
  updated_at!: string;
  @ApiProperty({
    type: 'integer',
    example: 297_655,
    nullable: true,
    description: 'The clock running down now, live; null where none',
  })
  time_remaining_ms!: number | null;
  @ApiProperty({
    type: 'integer',
    example: 14_690,
    description: 'Running time so far, pauses excluded, live',
  })
  time_elapsed_ms!: number;
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    example: 1795399212345,
    description: 'The server clock (epoch ms) the live fields were computed at',
  })
  server_time_ms!: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { table: 7 },
    description: 'Opaque to the server',
  })
  metadata?: Record<string, unknown>;
  @ApiProperty({ type: WebhookDto, nullable: true, description: "The session's own webhook" })
  webhook!: WebhookDto | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    example: null,
    nullable: true,
    description: 'A start scheduled for later (POST start with at_ms); null when none',
  })
  scheduled_start_at!: string | null;
  @ApiProperty({
    type: 'integer',
    example: 30_000,
    nullable: true,
    description: 'session:low_time is pushed when the running clock reaches it; null when none',
  })
  low_time_ms!: number | null;
}

export class SwitchStateDto extends SessionStateDto {
  @ApiPropertyOptional({ example: 'white', description: 'Who ran out of time during this switch' })
  expired_participant_id?: string;
}

export class SessionEnvelopeDto {
  @ApiProperty({ type: SessionStateDto }) data!: SessionStateDto;
}

export class SwitchEnvelopeDto {
  @ApiProperty({ type: SwitchStateDto }) data!: SwitchStateDto;
}
