import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional } from 'class-validator';

/** Start now, or at an instant of the server's clock (contract section 9). */
export class StartSessionDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int64',
    example: 1795399200000,
    description:
      'Start later, at this server epoch ms: strictly in the future, at most 7 days ahead. The ' +
      'session stays pending with scheduled_start_at and starts by itself at exactly that ' +
      'instant; a new start reschedules, a start without at_ms, complete or cancel override it',
  })
  @IsOptional()
  @IsInt()
  at_ms?: number;
}
