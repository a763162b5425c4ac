import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { METRICS } from './metric-names';

const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Every custom metric of the service. Gauges that are read on scrape get their collector elsewhere. */
export const METRIC_PROVIDERS = [
  makeCounterProvider({
    name: METRICS.httpRequests,
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: METRICS.httpDuration,
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
  }),
  makeHistogramProvider({
    name: METRICS.switchDuration,
    help: 'Time to apply a switch (read, clock, compare-and-set, enqueue), REST or socket',
    buckets: LATENCY_BUCKETS,
  }),
  makeGaugeProvider({
    name: METRICS.socketConnections,
    help: 'Socket.IO connections on this instance',
  }),
  makeGaugeProvider({
    name: METRICS.queueJobs,
    help: 'Jobs per queue and state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'],
  }),
  makeGaugeProvider({
    name: METRICS.redisConnections,
    help: 'Redis connections this process holds open, by name (BullMQ blocking duplicates aside)',
    labelNames: ['name'],
  }),
  makeCounterProvider({
    name: METRICS.redisErrors,
    help: 'Redis errors seen, by connection name (connection drops, refused or timed out commands)',
    labelNames: ['client'],
  }),
  makeGaugeProvider({
    name: METRICS.auditBacklogBytes,
    help: 'Redis bytes of the audit backlog waiting for PostgreSQL (estimated; see AUDIT_BACKLOG_MAX_BYTES)',
  }),
  makeCounterProvider({
    name: METRICS.outboxRecovered,
    help: 'Committed versions the outbox relay wrote because their writer never enqueued them',
  }),
  makeCounterProvider({
    name: METRICS.redisDataLoss,
    help: 'Times this instance found Redis without its epoch marker: Redis lost its data',
  }),
  makeCounterProvider({
    name: METRICS.auditEnqueueFailures,
    help: 'State changes whose audit job Redis refused (the request still succeeded)',
  }),
  makeCounterProvider({
    name: METRICS.auditEventsWritten,
    help: 'Audit events written to PostgreSQL',
  }),
  makeCounterProvider({
    name: METRICS.auditUnrecoverable,
    help: 'Audit jobs failed for good: data no retry can fix',
  }),
  makeCounterProvider({
    name: METRICS.auditRepaired,
    help: 'Audit events written with text PostgreSQL cannot store replaced (U+FFFD)',
  }),
  makeCounterProvider({
    name: METRICS.auditJobsRetried,
    help: 'Audit jobs that had failed for good, put back in the queue by the reaper',
  }),
  makeGaugeProvider({
    name: METRICS.auditOldestUnwritten,
    help: 'Age of the oldest audit event not yet written to PostgreSQL (0: none)',
  }),
  makeHistogramProvider({
    name: METRICS.auditLag,
    help: 'From the state change to its audit row being committed',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  }),
  makeHistogramProvider({
    name: METRICS.auditBatchSize,
    help: 'Audit events per PostgreSQL round trip',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  }),
  makeHistogramProvider({
    name: METRICS.deadlineLateness,
    help: 'From the instant a clock ran out to the commit of its time-out, by what fired it (timer, store, job)',
    labelNames: ['source'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  makeCounterProvider({
    name: METRICS.deadlineArmFailures,
    help: 'Durable deadlines Redis refused to arm (the local timer still runs)',
  }),
  makeGaugeProvider({
    name: METRICS.deadlineEntries,
    help: 'Durable deadline entries in Redis: one per session whose clock runs',
  }),
  // Webhooks (contract section 9)
  makeCounterProvider({
    name: METRICS.webhookDeliveries,
    help: 'Webhook outcomes: events succeeded and given up, attempts failed, and retries scheduled',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: METRICS.webhookLag,
    help: 'From the event to its successful delivery (retries included)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86_400],
  }),
  makeGaugeProvider({
    name: METRICS.webhookOldestPending,
    help: 'Age of the oldest webhook event not yet delivered or given up (0: none)',
  }),
  makeCounterProvider({
    name: METRICS.webhookEnqueueFailures,
    help: 'Webhook events Redis refused to queue (the change itself was committed)',
  }),
  makeCounterProvider({
    name: METRICS.webhookUnrecorded,
    help: 'Webhook attempts made but not recorded in PostgreSQL (it was unreachable)',
  }),
  // Time from one source (issue 15): this instance against Redis' clock
  makeGaugeProvider({
    name: METRICS.clockOffset,
    help: "Redis' clock minus this host's, as last measured (the middle of the measurement's bound)",
  }),
  makeGaugeProvider({
    name: METRICS.clockBound,
    help: "How far this instance's clock may be from Redis' now (error, drift since, and the offset when uncorrected)",
  }),
  makeGaugeProvider({
    name: METRICS.clockInSync,
    help: '1 while the clock is within MAX_CLOCK_SKEW_MS of Redis with a fresh measurement, else 0 (commands refused)',
  }),
];
