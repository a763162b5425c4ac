import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min, NotEquals } from 'class-validator';
import { ID_MESSAGE, ID_PATTERN, TIME_MAX_MS } from './limits';

/**
 * Gives (or, negative, takes) time: to a participant's bank, a group's bank, the active turn,
 * or the session's own clock (global countdown, count_up cap) when neither id is given.
 */
export class AddTimeDto {
  @ApiPropertyOptional({ example: 'white' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  participant_id?: string;

  @ApiPropertyOptional({ example: 'red', description: 'per_group only' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  group_id?: string;

  @ApiProperty({
    type: 'integer',
    example: 60_000,
    minimum: -TIME_MAX_MS,
    maximum: TIME_MAX_MS,
    description: 'Milliseconds to give; negative takes, never below zero',
  })
  @IsInt()
  @Min(-TIME_MAX_MS)
  @Max(TIME_MAX_MS)
  @NotEquals(0)
  ms!: number;
}
