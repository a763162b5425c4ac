import { ArgumentMetadata } from '@nestjs/common';
import { IsInt, IsOptional } from 'class-validator';
import { CreateSessionDto } from '../../sessions/dto/create-session.dto';
import { SwitchSessionDto } from '../../sessions/dto/switch-session.dto';
import { DomainError } from '../errors/domain-error';
import { BodyValidationPipe } from './body-validation.pipe';
import { Nullable } from './field-kinds';

/** A field the contract would allow to be null, to show the mechanism's one way out. */
class WithNullable {
  @IsOptional()
  @IsInt()
  @Nullable()
  at_ms?: number | null;

  @IsOptional()
  @IsInt()
  other?: number;
}

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('BodyValidationPipe', () => {
  let pipe: BodyValidationPipe;

  beforeEach(() => {
    pipe = new BodyValidationPipe();
  });

  it.each([undefined, null, {}])(
    'turns an empty body (%p) into a fresh DTO, the first time and every time after',
    async (empty) => {
      const first = await pipe.transform(empty, body(SwitchSessionDto));
      const second = await pipe.transform(empty, body(SwitchSessionDto));
      expect(first).toBeInstanceOf(SwitchSessionDto);
      expect(second).toBeInstanceOf(SwitchSessionDto);
      expect(second).not.toBe(first);
      expect({ ...(second as object) }).toEqual({});
    },
  );

  it('keeps refusing an empty body where fields are required', async () => {
    for (let i = 0; i < 2; i++) {
      const err = await refusal(pipe.transform({}, body(CreateSessionDto)));
      expect(err.code).toBe('VALIDATION_ERROR');
      const fields = (err.details?.fields as { field: string }[]).map((f) => f.field);
      expect(fields).toEqual(expect.arrayContaining(['session_id', 'participants']));
    }
  });

  it('still validates a body with fields after an empty one passed', async () => {
    await pipe.transform({}, body(SwitchSessionDto));
    const ok = await pipe.transform({ expected_version: 3 }, body(SwitchSessionDto));
    expect(ok).toBeInstanceOf(SwitchSessionDto);
    expect((ok as SwitchSessionDto).expected_version).toBe(3);

    const wrong = await refusal(pipe.transform({ expected_version: 0 }, body(SwitchSessionDto)));
    expect(wrong.message).toMatch(/^expected_version: /);
    const unknown = await refusal(pipe.transform({ colour: 'red' }, body(SwitchSessionDto)));
    expect(unknown.message).toMatch(/^colour: /);
  });

  it.each([[[]], ['text'], [42]])('refuses a body that is not a JSON object: %p', async (value) => {
    const err = await refusal(pipe.transform(value, body(SwitchSessionDto)));
    expect(err.details).toEqual({ fields: [{ field: 'body', message: 'must be a JSON object' }] });
  });

  it('leaves what it does not validate alone', async () => {
    expect(await pipe.transform('game-1', { type: 'param', metatype: String, data: 'id' })).toBe(
      'game-1',
    );
    expect(await pipe.transform(undefined, body(Object))).toBeUndefined();
  });
});

describe('BodyValidationPipe: hostile bodies', () => {
  const pipe = new BodyValidationPipe();
  const create = (extra: Record<string, unknown>) => ({
    session_id: 'g',
    sync_mode: 'global',
    total_time_ms: 60_000,
    participants: [{ participant_id: 'a' }],
    ...extra,
  });
  const fieldsOf = async (value: unknown, dto: ArgumentMetadata['metatype'] = CreateSessionDto) =>
    (await refusal(pipe.transform(value, body(dto)))).details?.fields as {
      field: string;
      message: string;
    }[];

  it('refuses null wherever a field is optional, at any depth', async () => {
    expect(await fieldsOf(create({ time_per_cycle_ms: null }))).toEqual([
      { field: 'time_per_cycle_ms', message: 'must not be null' },
    ]);
    expect(
      await fieldsOf(create({ participants: [{ participant_id: 'a', group_id: null }] })),
    ).toEqual([{ field: 'participants.0.group_id', message: 'must not be null' }]);
    expect(await fieldsOf({ expected_version: null }, SwitchSessionDto)).toEqual([
      { field: 'expected_version', message: 'must not be null' },
    ]);
  });

  it('refuses keys class-transformer would drop, where a DTO has no such field', async () => {
    const sent = JSON.parse('{"__proto__":{"x":1},"constructor":1,"toString":"y"}');
    expect((await fieldsOf(sent, SwitchSessionDto)).map((f) => f.field)).toEqual([
      '__proto__',
      'constructor',
      'toString',
    ]);
  });

  it('hands the handler opaque metadata exactly as parsed, prototype keys and nulls included', async () => {
    const metadata = JSON.parse(
      '{"__proto__":{"a":1},"constructor":{"prototype":null},"toString":"x","n":null}',
    );
    const dto = (await pipe.transform(
      create({ metadata }),
      body(CreateSessionDto),
    )) as CreateSessionDto;
    expect(dto.metadata).toBe(metadata);
    expect(Object.keys(dto.metadata as object)).toEqual([
      '__proto__',
      'constructor',
      'toString',
      'n',
    ]);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('still checks the type of an opaque field', async () => {
    expect((await fieldsOf(create({ metadata: [1] }))).map((f) => f.field)).toEqual(['metadata']);
    expect((await fieldsOf(create({ metadata: 'x' }))).map((f) => f.field)).toEqual(['metadata']);
  });

  it('refuses a body nested too deep before transforming it, and unstorable text by path', async () => {
    const deep = JSON.parse('{"metadata":' + '['.repeat(3000) + ']'.repeat(3000) + '}');
    expect(await fieldsOf(deep)).toEqual([
      { field: 'body', message: expect.stringMatching(/deeper/) },
    ]);
    expect(await fieldsOf(create({ metadata: { a: ['\u0000'] } }))).toEqual([
      { field: 'metadata.a.0', message: expect.stringMatching(/NUL/) },
    ]);
  });

  it('lets null through where a field is @Nullable(), and only there', async () => {
    const dto = (await pipe.transform({ at_ms: null }, body(WithNullable))) as WithNullable;
    expect(dto.at_ms).toBeNull();
    expect(await fieldsOf({ at_ms: null, other: null }, WithNullable)).toEqual([
      { field: 'other', message: 'must not be null' },
    ]);
  });
});
