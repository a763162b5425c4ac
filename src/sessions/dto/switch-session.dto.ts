import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { ID_MESSAGE, ID_PATTERN } from './limits';

export class SwitchSessionDto {
  @ApiPropertyOptional({ example: 'black', description: 'Who plays next (default: the rotation)' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  next_participant_id?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 7,
    minimum: 1,
    description: 'Refuse (409 CONFLICT) unless this is the current version',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  expected_version?: number;

  @ApiPropertyOptional({
    example: 'white',
    description: 'Refuse (409 NOT_ACTIVE_PARTICIPANT) unless this participant is the active one',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  current_participant_id?: string;
}
