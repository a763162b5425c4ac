import { ArgumentMetadata } from '@nestjs/common';
import { CreateSessionDto } from '../../sessions/dto/create-session.dto';
import { SwitchSessionDto } from '../../sessions/dto/switch-session.dto';
import { DomainError } from '../errors/domain-error';
import { BodyValidationPipe } from './body-validation.pipe';

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
