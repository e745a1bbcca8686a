// The durable outbox: enqueue inside the caller's transaction, a worker that runs jobs with backoff and
// reconciliation, and read models for the queue screen and `paydesk doctor`. See docs/outbox.md.
export { enqueue, getJob, findJobByDedupeKey, listAttempts, retryJobNow, type NewJob, type JobRecord, type AttemptRecord } from './store';
export { OutboxWorker, type WorkerOptions } from './worker';
export { registerHandler, type JobHandler, type AnyJobHandler, type JobContext, type ReconcileResult, type DoneJob } from './handler';
export { backoffSchedule, backoffDelayMs, DEFAULT_BACKOFF, backoffPolicySchema, type BackoffPolicy } from './backoff';
export { queueView, outboxHealth, outboxDoctorCheck, jobsForOperation, type QueueItem, type OutboxHealth } from './views';
export type { AttemptOutcome } from './transitions';
