import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TIME_CONTROL_LIMITS as L } from '@synckairos/clock';

/** One stage of a time control (contract section 7). */
export class StageDto {
  @ApiProperty({
    example: 5_400_000,
    minimum: 0,
    maximum: L.timeMaxMs,
    description: 'Added to the bank when the stage begins; the first stage 1,000 at the least',
  })
  @IsInt()
  @Min(0)
  @Max(L.timeMaxMs)
  time_ms!: number;

  @ApiPropertyOptional({
    example: 30_000,
    minimum: 0,
    maximum: L.incrementMaxMs,
    description: 'Fischer: added after each move of this stage (not with delay_ms > 0)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.incrementMaxMs)
  increment_ms?: number;

  @ApiPropertyOptional({
    example: 5000,
    minimum: 0,
    maximum: L.delayMaxMs,
    description: 'Delay of each turn of this stage, by the control’s delay_kind',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.delayMaxMs)
  delay_ms?: number;

  @ApiPropertyOptional({
    example: 40,
    minimum: 1,
    maximum: L.stageMovesMax,
    description: 'Moves this stage covers: required on every stage but the last, absent on it',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.stageMovesMax)
  moves?: number;
}
