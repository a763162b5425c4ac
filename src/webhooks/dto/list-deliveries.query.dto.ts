import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_DELIVERIES_PAGE = 500;
export const DEFAULT_DELIVERIES_PAGE = 100;

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({
    example: 0,
    minimum: 0,
    description: 'Only attempts after this one (the `id` of the last row of the previous page)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after_id?: number;

  @ApiPropertyOptional({
    example: DEFAULT_DELIVERIES_PAGE,
    minimum: 1,
    maximum: MAX_DELIVERIES_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DELIVERIES_PAGE)
  limit?: number;
}
