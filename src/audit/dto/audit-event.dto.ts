import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SessionStateDto } from '../../sessions/dto/session-state.dto';

export class AuditEventDto {
  @ApiProperty({ example: 'game-42' }) session_id!: string;
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({ example: 'cycle_switched' }) event_type!: string;
  @ApiProperty({ example: 'white', nullable: true }) participant_id!: string | null;
  @ApiProperty({ example: '2026-11-22T10:00:12.345Z' }) occurred_at!: string;
  @ApiProperty({
    type: SessionStateDto,
    description: 'The session as clients saw it at that instant',
  })
  state_snapshot!: SessionStateDto;
  @ApiProperty({ example: { next_participant_id: 'black' }, nullable: true }) metadata!: Record<
    string,
    unknown
  > | null;
}

export class AuditEventsEnvelopeDto {
  @ApiProperty({ type: [AuditEventDto] }) data!: AuditEventDto[];
  @ApiPropertyOptional({
    example: 'djoxMDA',
    description: 'Present when more events are recorded: pass it as `cursor` for the next page',
  })
  next_cursor?: string;
}
