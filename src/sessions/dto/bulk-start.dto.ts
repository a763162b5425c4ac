import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString } from 'class-validator';
import { ID_PATTERN } from './limits';

/** The most sessions one bulk start takes (a tournament round). */
export const BULK_START_MAX = 500;

/**
 * Starts many sessions at one instant (contract section 9: a tournament round). Each id's
 * format and uniqueness is checked by BulkStarter, so that an error names its index.
 */
export class BulkStartDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: BULK_START_MAX,
    uniqueItems: true,
    items: { type: 'string', pattern: ID_PATTERN.source },
    example: ['round-3-board-1', 'round-3-board-2'],
    description: `1-${BULK_START_MAX} distinct session ids`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BULK_START_MAX)
  @IsString({ each: true })
  session_ids!: string[];

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int64',
    example: 1795399200000,
    description:
      'Start every session at this server epoch ms (strictly in the future, at most 7 days ' +
      'ahead); absent: now, every clock anchored at the instant the request arrived',
  })
  @IsOptional()
  @IsInt()
  at_ms?: number;
}
