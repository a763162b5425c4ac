import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ID_MESSAGE, ID_PATTERN, TIME_MAX_MS, TIME_MIN_MS } from './limits';
import { Nullable } from '../../common/pipes/field-kinds';
import { TimeControlDto } from './time-control.dto';

export class ParticipantDto {
  @ApiProperty({
    example: 'white',
    pattern: ID_PATTERN.source,
    description: 'Unique in the session',
  })
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  participant_id!: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 0,
    minimum: 0,
    maximum: 1_000_000,
    description: 'Rotation order; defaults to the array position',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  participant_index?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 300_000,
    minimum: TIME_MIN_MS,
    maximum: TIME_MAX_MS,
    description:
      'Initial bank; required in per_participant (without a time control) and per_group, ' +
      'unused elsewhere; refused with a time control (the first stage is the bank)',
  })
  @IsOptional()
  @IsInt()
  @Min(TIME_MIN_MS)
  @Max(TIME_MAX_MS)
  total_time_ms?: number;

  @ApiPropertyOptional({ example: 'red', description: 'Required in per_group' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  group_id?: string;

  @ApiPropertyOptional({
    type: TimeControlDto,
    description:
      "per_participant: this participant's own control (time odds), replacing the session's",
  })
  // The state shows `time_control: null` for none: a client may send that back.
  @Nullable()
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TimeControlDto)
  time_control?: TimeControlDto;
}
