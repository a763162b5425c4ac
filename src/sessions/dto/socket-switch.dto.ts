import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency';
import { ID_MESSAGE, ID_PATTERN } from './limits';
import { SwitchSessionDto } from './switch-session.dto';

/** `session:switch` over Socket.IO: the REST switch body, plus which session. */
export class SocketSwitchDto extends SwitchSessionDto {
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  session_id!: string;

  /** The REST Idempotency-Key header, as a field. */
  @ApiPropertyOptional({ pattern: IDEMPOTENCY_KEY_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'must be 1-128 characters of A-Z a-z 0-9 _ . : -' })
  idempotency_key?: string;
}
