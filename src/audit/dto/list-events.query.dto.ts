import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { QueryInt } from '../../common/pipes/query-int';

export const MAX_EVENTS_PAGE = 500;
export const DEFAULT_EVENTS_PAGE = 100;
/** Versions are PostgreSQL integers: a larger bound could only be a database error. */
export const MAX_VERSION = 2 ** 31 - 1;

export class ListEventsQueryDto {
  @ApiPropertyOptional({
    example: 0,
    minimum: 0,
    maximum: MAX_VERSION,
    description: 'Only versions after this one',
  })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(MAX_VERSION)
  after_version?: number;

  @ApiPropertyOptional({
    example: 'djo3',
    description: "The previous page's next_cursor: the page after it (instead of after_version)",
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ example: DEFAULT_EVENTS_PAGE, minimum: 1, maximum: MAX_EVENTS_PAGE })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PAGE)
  limit?: number;
}
