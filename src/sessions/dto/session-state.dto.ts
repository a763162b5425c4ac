import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SESSION_STATUSES, SYNC_MODES } from '../../clock/clock.types';
import { WebhookDto } from './webhook.dto';

/** Documentation of the state every endpoint and socket event carries (contract section 2). */
export class ParticipantStateDto {
  @ApiProperty({ example: 'white' }) participant_id!: string;
  @ApiProperty({ example: 0 }) participant_index!: number;
  @ApiPropertyOptional({ example: 'red' }) group_id?: string;
  @ApiProperty({ example: 302_000, description: 'Initial bank + increments + added time' })
  total_time_ms!: number;
  @ApiProperty({ example: 12_345, description: 'Live, at server_time_ms' }) time_used_ms!: number;
  @ApiProperty({
    example: 289_655,
    nullable: true,
    description: 'Live; null only in count_up without a cap',
  })
  time_remaining_ms!: number | null;
  @ApiProperty({ example: 1 }) cycle_count!: number;
  @ApiProperty({ example: false }) is_active!: boolean;
  @ApiProperty({ example: false }) has_expired!: boolean;
}

export class GroupStateDto {
  @ApiProperty({ example: 'red' }) group_id!: string;
  @ApiProperty({ example: 600_000 }) total_time_ms!: number;
  @ApiProperty({ example: 42_000 }) time_used_ms!: number;
  @ApiProperty({ example: 558_000 }) time_remaining_ms!: number;
  @ApiProperty({ example: false }) has_expired!: boolean;
  @ApiProperty({ example: true }) is_active!: boolean;
}

export class SessionStateDto {
  @ApiProperty({ example: 'game-42' }) session_id!: string;
  @ApiProperty({ enum: SYNC_MODES, example: 'per_participant' }) sync_mode!: string;
  @ApiProperty({ enum: SESSION_STATUSES, example: 'running' }) status!: string;
  @ApiProperty({ example: 3, description: '1 at creation, +1 on every change' }) version!: number;
  @ApiProperty({ type: [ParticipantStateDto] }) participants!: ParticipantStateDto[];
  @ApiPropertyOptional({ type: [GroupStateDto], description: 'per_group only' })
  groups?: GroupStateDto[];
  @ApiProperty({ example: 'black', nullable: true }) active_participant_id!: string | null;
  @ApiProperty({ example: 600_000 }) total_time_ms!: number;
  @ApiProperty({ example: null, nullable: true }) time_per_cycle_ms!: number | null;
  @ApiProperty({ example: 2000 }) increment_ms!: number;
  @ApiPropertyOptional({ example: 3_600_000 }) max_time_ms?: number;
  @ApiProperty({ example: true }) auto_advance!: boolean;
  @ApiProperty({ example: '2026-11-22T10:00:12.345Z', nullable: true }) cycle_started_at!:
    string | null;
  @ApiProperty({ example: '2026-11-22T10:00:00.000Z', nullable: true }) session_started_at!:
    string | null;
  @ApiProperty({ example: null, nullable: true }) session_completed_at!: string | null;
  @ApiProperty({ example: '2026-11-22T09:59:58.000Z' }) created_at!: string;
  @ApiProperty({ example: '2026-11-22T10:00:12.345Z' }) updated_at!: string;
  @ApiProperty({
    example: 297_655,
    nullable: true,
    description: 'The clock running down now, live',
  })
  time_remaining_ms!: number | null;
  @ApiProperty({ example: 14_690, description: 'Running time so far, pauses excluded, live' })
  time_elapsed_ms!: number;
  @ApiProperty({
    example: 1795399212345,
    description: 'The server clock the live fields were computed at',
  })
  server_time_ms!: number;
  @ApiPropertyOptional({ example: { table: 7 } }) metadata?: Record<string, unknown>;
  @ApiProperty({ type: WebhookDto, nullable: true, description: "The session's own webhook" })
  webhook!: WebhookDto | null;
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
