import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDto {
  @ApiProperty({ example: 'VALIDATION_ERROR' }) code!: string;
  @ApiProperty({ example: 'total_time_ms: must not be less than 1000' }) message!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { fields: [{ field: 'total_time_ms', message: 'must not be less than 1000' }] },
    description: 'Always an object when present',
  })
  details?: Record<string, unknown>;
}

/** The contract's error body: `{ "error": { code, message, details? } }`. */
export class ErrorBodyDto {
  @ApiProperty({ type: ErrorDto }) error!: ErrorDto;
}
