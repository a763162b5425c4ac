import { IsString, Matches } from 'class-validator';
import { ID_MESSAGE, ID_PATTERN } from './limits';
import { SwitchSessionDto } from './switch-session.dto';

/** `session:switch` over Socket.IO: the REST switch body, plus which session. */
export class SocketSwitchDto extends SwitchSessionDto {
  @IsString()
  @Matches(ID_PATTERN, { message: ID_MESSAGE })
  session_id!: string;
}
