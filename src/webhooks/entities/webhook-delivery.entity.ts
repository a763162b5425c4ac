import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['succeeded', 'failed', 'given_up'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt to deliver one webhook event (`failed`: it will be tried again at next_try_at). */
@Entity({ name: 'webhook_deliveries' })
@Index('ix_webhook_deliveries_session', ['session_id', 'id'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** `<session_id>:<version>:<type>`, also the Idempotency-Key. */
  @Column({ type: 'varchar', length: 200 })
  event_id!: string;

  @Column({ type: 'varchar', length: 64 })
  session_id!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  event_type!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', nullable: true })
  response_code!: number | null;

  /** Why no answer came: a timeout, a refused connection, an address not allowed. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  error!: string | null;

  /** The first bytes of the answer's body; nothing more is kept. */
  @Column({ type: 'varchar', length: 512, nullable: true })
  response_excerpt!: string | null;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'integer' })
  duration_ms!: number;

  @Column({ type: 'timestamptz' })
  attempted_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  next_try_at!: Date | null;
}
