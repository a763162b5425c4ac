import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TIME_CONTROL_LIMITS as L, BYOYOMI_KINDS, ByoyomiKind } from '@synckairos/clock';

/** Byo-yomi after the main time (contract section 7). */
export class ByoyomiDto {
  @ApiProperty({ enum: BYOYOMI_KINDS, example: 'japanese' })
  @IsIn(BYOYOMI_KINDS)
  kind!: ByoyomiKind;

  @ApiPropertyOptional({
    example: 5,
    minimum: 1,
    maximum: L.periodsMax,
    description: 'japanese only (required there): periods of period_ms',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.periodsMax)
  periods?: number;

  @ApiPropertyOptional({
    example: 10,
    minimum: 1,
    maximum: L.canadianMovesMax,
    description: 'canadian only (required there): moves to make in each period',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.canadianMovesMax)
  moves?: number;

  @ApiProperty({ example: 30_000, minimum: L.periodMinMs, maximum: L.periodMaxMs })
  @IsInt()
  @Min(L.periodMinMs)
  @Max(L.periodMaxMs)
  period_ms!: number;
}
