import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_EVENTS_PAGE = 500;
export const DEFAULT_EVENTS_PAGE = 100;

export class ListEventsQueryDto {
  @ApiPropertyOptional({ example: 0, minimum: 0, description: 'Only versions after this one' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after_version?: number;

  @ApiPropertyOptional({ example: DEFAULT_EVENTS_PAGE, minimum: 1, maximum: MAX_EVENTS_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_EVENTS_PAGE)
  limit?: number;
}
