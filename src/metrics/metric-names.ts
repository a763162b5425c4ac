/** Every custom metric of the service, by name. */
export const METRICS = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  switchDuration: 'synckairos_switch_duration_seconds',
  socketConnections: 'synckairos_socket_connections',
  queueJobs: 'synckairos_queue_jobs',
  redisErrors: 'synckairos_redis_errors_total',
  auditEnqueueFailures: 'synckairos_audit_enqueue_failures_total',
  auditEventsWritten: 'synckairos_audit_events_written_total',
  auditUnrecoverable: 'synckairos_audit_unrecoverable_total',
  auditRepaired: 'synckairos_audit_events_repaired_total',
  auditLag: 'synckairos_audit_lag_seconds',
  auditBatchSize: 'synckairos_audit_batch_size',
  deadlineLateness: 'synckairos_deadline_lateness_seconds',
  deadlineArmFailures: 'synckairos_deadline_arm_failures_total',
} as const;
