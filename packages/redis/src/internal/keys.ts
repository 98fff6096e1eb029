// The Redis keys and scripts the executor and its workers share, beside BullMQ's own keys for the
// queue (same prefix, so that one `bull:<queue>:*` pattern finds everything of a queue).

/** BullMQ's default key prefix. */
const PREFIX = 'bull';

/** How long the cancel and started flags of a job live: a day. */
export const FLAG_TTL_SECONDS = 24 * 60 * 60;

/** How long a reply list outlives its last reply if its submitter is gone: an hour. */
export const REPLY_TTL_SECONDS = 60 * 60;

/** The names of one queue's corio keys. */
export class QueueKeys {
  constructor(readonly queue: string) {}

  /** Set once a job's cancel is recorded: a worker that has not begun the job skips it. */
  cancelFlag(jobId: string): string {
    return `${PREFIX}:${this.queue}:corio:cancel:${jobId}`;
  }

  /** Set once a worker begins a job (and again when a stalled job is run again). */
  started(jobId: string): string {
    return `${PREFIX}:${this.queue}:corio:started:${jobId}`;
  }

  /** Where the ids of cancelled jobs are published, for the workers running them. */
  get cancelChannel(): string {
    return `${PREFIX}:${this.queue}:corio:cancel`;
  }

  /** A submitter's reply list: workers push outcomes, the submitter pops them. */
  replies(submitterId: string): string {
    return `${PREFIX}:${this.queue}:corio:reply:${submitterId}`;
  }
}

/**
 * The worker's claim, atomic with a cancel: KEYS = [started, cancelFlag], ARGV = [ttl]. Returns 1
 * if the job may begin (and marks it started), 0 if its cancel came first.
 */
export const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
`;

/**
 * The submitter's cancel, atomic with a claim: KEYS = [started, cancelFlag], ARGV = [ttl,
 * channel, jobId]. Records the cancel, tells the workers, and returns 1 if a worker had begun the
 * job, 0 if none had (then none ever will).
 */
export const CANCEL_SCRIPT = `
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return redis.call('EXISTS', KEYS[1])
`;
