import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { TIME_CONTROL_LIMITS as L, DELAY_KINDS, DelayKind } from '@synckairos/clock';
import { ByoyomiDto } from './byoyomi.dto';
import { StageDto } from './stage.dto';

/**
 * A tournament time control (contract section 7): per_participant only, for the session or one
 * participant. The rules that tie its fields together are the clock's (createSession).
 */
export class TimeControlDto {
  @ApiProperty({
    type: [StageDto],
    minItems: 1,
    maxItems: L.maxStages,
    description:
      'By move count; a stage’s time is added after the move that completes the one before',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(L.maxStages)
  @ValidateNested({ each: true })
  @Type(() => StageDto)
  stages!: StageDto[];

  @ApiPropertyOptional({
    enum: DELAY_KINDS,
    example: 'bronstein',
    description: 'Required when a stage has delay_ms > 0, refused otherwise',
  })
  @IsOptional()
  @IsIn(DELAY_KINDS)
  delay_kind?: DelayKind;

  @ApiPropertyOptional({
    example: 7_200_000,
    minimum: L.capMinMs,
    maximum: L.timeMaxMs,
    description: 'An increment never lifts the bank above it (stage and added time may)',
  })
  @IsOptional()
  @IsInt()
  @Min(L.capMinMs)
  @Max(L.timeMaxMs)
  increment_cap_ms?: number;

  @ApiPropertyOptional({
    type: ByoyomiDto,
    description: 'Only with a single stage whose increment_ms and delay_ms are 0 or absent',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ByoyomiDto)
  byoyomi?: ByoyomiDto;
}
