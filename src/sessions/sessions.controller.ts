import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Command } from '../auth/command.decorator';
import { Command as ClockCommand, SessionView } from '@synckairos/clock';
import { ErrorCode } from '../common/errors/error-codes';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { SessionIdPipe } from '../common/pipes/session-id.pipe';
import { WebhookTargetPipe } from '../webhooks/webhook-target.pipe';
import { AddTimeDto } from './dto/add-time.dto';
import { CreateSessionDto } from './dto/create-session.dto';
import { CREATE_SESSION_EXAMPLES } from './dto/create-session.examples';
import { SessionEnvelopeDto, SwitchEnvelopeDto } from './dto/session-state.dto';
import { StartSessionDto } from './dto/start-session.dto';
import { START_EXAMPLES } from './dto/start-session.examples';
import { SwitchSessionDto } from './dto/switch-session.dto';
import { ApiIdempotencyKey, IdempotencyKey } from './idempotency-key.decorator';
import { CommandService } from '../commits/command.service';

type SwitchView = SessionView & { expired_participant_id?: string };

const ALWAYS: ErrorCode[] = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'UNAVAILABLE',
];
/** A write may also be uncertain, refused for a full backlog, or a reused Idempotency-Key. */
const WRITES: ErrorCode[] = [
  ...ALWAYS,
  'OUTCOME_UNKNOWN',
  'BACKLOG_FULL',
  'IDEMPOTENCY_KEY_REUSED',
];
const SessionParam = () =>
  ApiParam({ name: 'id', example: 'game-42', description: '1-64 characters of [A-Za-z0-9_-]' });

/** A command on an existing session: 200 with the new state, or the listed errors. */
const Command200 = (summary: string, ...errors: ErrorCode[]) =>
  applyDecorators(
    ApiOperation({ summary }),
    SessionParam(),
    ApiOkResponse({ type: SessionEnvelopeDto }),
    ApiErrors(...WRITES, 'SESSION_NOT_FOUND', ...errors),
  );

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: CommandService) {}

  @Post()
  @HttpCode(201)
  @Command('create')
  @ApiOperation({ summary: 'Create a session (pending, version 1)' })
  @ApiBody({ type: CreateSessionDto, examples: CREATE_SESSION_EXAMPLES })
  @ApiCreatedResponse({ type: SessionEnvelopeDto })
  @ApiErrors(...WRITES, 'SESSION_EXISTS')
  @ApiIdempotencyKey()
  async create(
    @Body(WebhookTargetPipe) dto: CreateSessionDto,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return { data: await this.sessions.create(dto, key) };
  }

  @Get(':id')
  @Command('read')
  @ApiOperation({
    summary: 'The state, live at server_time_ms (clocks that ran out are settled first)',
  })
  @SessionParam()
  @ApiOkResponse({ type: SessionEnvelopeDto })
  @ApiErrors(...ALWAYS, 'SESSION_NOT_FOUND')
  async get(@Param('id', SessionIdPipe) id: string): Promise<{ data: SessionView }> {
    return { data: await this.sessions.get(id) };
  }

  @Post(':id/switch')
  @HttpCode(200)
  @Command('switch')
  @ApiOperation({
    summary: 'End the active turn: charge the mover, add the increment, start the next clock',
  })
  @SessionParam()
  @ApiOkResponse({ type: SwitchEnvelopeDto })
  @ApiErrors(
    ...WRITES,
    'SESSION_NOT_FOUND',
    'INVALID_STATE_TRANSITION',
    'CONFLICT',
    'NOT_ACTIVE_PARTICIPANT',
  )
  @ApiIdempotencyKey()
  async switch(
    @Param('id', SessionIdPipe) id: string,
    @Body() dto: SwitchSessionDto,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SwitchView }> {
    const outcome = await this.sessions.execute(id, { kind: 'switch', ...dto }, key);
    const data: SwitchView = outcome.view;
    if (outcome.expired_participant_id !== undefined)
      data.expired_participant_id = outcome.expired_participant_id;
    return { data };
  }

  @Post(':id/start')
  @HttpCode(200)
  @Command('start')
  @Command200(
    'Start a pending session (the first participant plays), now or at at_ms',
    'INVALID_STATE_TRANSITION',
  )
  @ApiBody({ type: StartSessionDto, required: false, examples: START_EXAMPLES })
  @ApiIdempotencyKey()
  start(
    @Param('id', SessionIdPipe) id: string,
    @Body() dto: StartSessionDto,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(
      id,
      { kind: 'start', ...(dto.at_ms !== undefined && { at_ms: dto.at_ms }) },
      key,
    );
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Command('pause')
  @Command200('Pause a running session: every clock stops', 'INVALID_STATE_TRANSITION')
  @ApiIdempotencyKey()
  pause(
    @Param('id', SessionIdPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(id, { kind: 'pause' }, key);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Command('resume')
  @Command200('Resume a paused session from where it stopped', 'INVALID_STATE_TRANSITION')
  @ApiIdempotencyKey()
  resume(
    @Param('id', SessionIdPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(id, { kind: 'resume' }, key);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Command('complete')
  @Command200(
    'End the session as completed (from pending, running or paused)',
    'INVALID_STATE_TRANSITION',
  )
  @ApiIdempotencyKey()
  complete(
    @Param('id', SessionIdPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(id, { kind: 'complete' }, key);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Command('cancel')
  @Command200(
    'End the session as cancelled (from pending, running or paused)',
    'INVALID_STATE_TRANSITION',
  )
  @ApiIdempotencyKey()
  cancel(
    @Param('id', SessionIdPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(id, { kind: 'cancel' }, key);
  }

  @Post(':id/add-time')
  @HttpCode(200)
  @Command('add_time')
  @Command200(
    'Give (or take) time: a bank, a group, the active turn, or the session clock',
    'INVALID_STATE_TRANSITION',
  )
  @ApiIdempotencyKey()
  addTime(
    @Param('id', SessionIdPipe) id: string,
    @Body() dto: AddTimeDto,
    @IdempotencyKey() key?: string,
  ): Promise<{ data: SessionView }> {
    return this.run(id, { kind: 'add_time', ...dto }, key);
  }

  @Delete(':id')
  @HttpCode(204)
  @Command('delete')
  @ApiOperation({
    summary: 'Delete the session (also 204 when there is none); watchers get session:deleted',
  })
  @SessionParam()
  @ApiNoContentResponse({ description: 'Deleted, or there was nothing to delete' })
  @ApiErrors(...WRITES)
  @ApiIdempotencyKey()
  async remove(
    @Param('id', SessionIdPipe) id: string,
    @IdempotencyKey() key?: string,
  ): Promise<void> {
    await this.sessions.delete(id, key);
  }

  private async run(
    id: string,
    command: ClockCommand,
    key?: string,
  ): Promise<{ data: SessionView }> {
    return { data: (await this.sessions.execute(id, command, key)).view };
  }
}
