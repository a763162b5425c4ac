import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorDto } from '../../common/errors/error-body.dto';
import { SessionStateDto } from './session-state.dto';

/** What a start of this one session alone would have answered. */
export class BulkStartItemDto {
  @ApiProperty({ example: 'round-3-board-1' }) session_id!: string;
  @ApiProperty({
    type: 'integer',
    example: 200,
    description: 'The HTTP status of this start alone: 200, or that of its error',
  })
  status!: number;
  @ApiPropertyOptional({ type: SessionStateDto, description: 'The state, when started' })
  data?: SessionStateDto;
  @ApiPropertyOptional({ type: ErrorDto, description: 'Why this one did not start' })
  error?: ErrorDto;
}

export class BulkStartResultsDto {
  @ApiProperty({ type: [BulkStartItemDto], description: 'One per id, in the order given' })
  results!: BulkStartItemDto[];
}

export class BulkStartEnvelopeDto {
  @ApiProperty({ type: BulkStartResultsDto }) data!: BulkStartResultsDto;
}
