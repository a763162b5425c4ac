import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { SessionView } from '@synckairos/clock';
import { controlled, FakeSession } from '@synckairos/clock/testing';
import { SwitchEnvelopeDto } from '../../sessions/dto/session-state.dto';
import { compileStateSerializer, StateAnswer, Stringify } from './state-serializer';

@Controller('s')
class StatesController {
  @Get()
  @ApiOkResponse({ type: SwitchEnvelopeDto })
  get(): void {}
}

/** Views of every shape the state takes: modes, groups, time controls, byo-yomi, metadata, webhooks. */
function views(): SessionView[] {
  const out: SessionView[] = [];
  for (const mode of ['per_participant', 'per_cycle', 'per_group', 'global', 'count_up'] as const) {
    let s: FakeSession;
    try {
      s = FakeSession.of(mode, { metadata: { table: 7, 'odd key': [null, { "a'b": '\u2028' }] } });
    } catch {
      continue; // a mode this clock does not have
    }
    out.push(s.view());
    s.start().advance(1234);
    out.push(s.view());
    s.switch();
    out.push({ ...s.advance(77).view(), expired_participant_id: 'a' } as SessionView);
  }
  const fide = new FakeSession(
    controlled(
      {
        stages: [
          { time_ms: 5_400_000, increment_ms: 30_000, moves: 40 },
          { time_ms: 1_800_000, increment_ms: 30_000 },
        ],
      },
      { webhook: { url: 'https://game.example/hook', events: ['session_expired'] } },
    ),
  );
  out.push(fide.start().advance(500).view());
  const byoyomi = new FakeSession(
    controlled({
      stages: [{ time_ms: 1000 }],
      byoyomi: { kind: 'japanese', periods: 3, period_ms: 5000 },
    }),
  );
  out.push(byoyomi.start().advance(2500).view());
  return out;
}

describe('the compiled state serializer', () => {
  let serialize: Stringify;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [StatesController] }).compile();
    const app = moduleRef.createNestApplication();
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    serialize = compileStateSerializer(document);
    await app.close();
  });

  it('writes what JSON.stringify writes, for every shape of state', () => {
    const all = views();
    expect(all.length).toBeGreaterThan(8);
    for (const view of all) {
      const answer = new StateAnswer(view);
      expect(JSON.parse(serialize(answer))).toEqual(JSON.parse(JSON.stringify(answer)));
    }
  });

  it('keeps a field the response schema does not list, and leaves out an undefined one', () => {
    const view = { ...views()[0], not_in_the_schema: { x: 1 }, max_time_ms: undefined };
    const text = serialize(new StateAnswer(view));
    expect(JSON.parse(text)).toEqual({ data: JSON.parse(JSON.stringify(view)) });
    expect(text).not.toContain('max_time_ms');
  });

  it('never rounds a number the schema calls an integer', () => {
    const view = { ...views()[0], server_time_ms: 1.5 };
    expect(JSON.parse(serialize(new StateAnswer(view))).data.server_time_ms).toBe(1.5);
  });
});
