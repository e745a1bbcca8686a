// Drives one operation's state machine: reduce → persist (one fsync) → act on the state's next action.
// Provider-neutral: a connector supplies a Driver (its reducer, its I/O and its row mapping).
// One actor per operation, events handled strictly one at a time, so an answer and a cashier's
// cancel can never interleave inside a transition.
import type { OperationStore, OperationWrite } from '../journal/operations';

export interface NextStep<A extends string = string> {
  action: A;
  at: number;
}

export interface Driver<S, E> {
  readonly operationId: string;
  reduce(state: S, event: E, now: number): S;
  next(state: S): NextStep | null;
  isFinal(state: S): boolean;
  /** Performs the I/O of an action and returns the event that reports its outcome. Must not throw. */
  perform(step: NextStep, state: S): Promise<E>;
  /**
   * Whether a transition changed anything worth a journal write. Only `next` moving (an unchanged status
   * poll) is not: after a crash that poll is simply taken at once.
   */
  isMaterial(previous: S, state: S): boolean;
  /** The journal rows a transition writes (the operation, plus related rows such as a payment's cancel). */
  writes(previous: S, state: S, event: E | null): { primary: OperationWrite; related: OperationWrite[] };
  /**
   * The shortest pause between two performs of the same action (e.g. the contract's 250 ms between status
   * polls). The runner enforces it whatever the reducer says, so a reducer bug cannot become a request storm.
   */
  minGapMs?(action: string): number;
}

/** A provider's pure machine: its reducer, final test and materiality rule; the state names its `next` step. */
export interface PureMachine<S extends { next: NextStep | null }, E> {
  reduce(state: S, event: E, now: number): S;
  isFinal(state: S): boolean;
  isMaterial(previous: S, state: S): boolean;
}

/** The machine half of every Driver, written once; a provider's driver adds its I/O (`perform`) and rows (`writes`). */
export abstract class MachineDriver<S extends { next: NextStep | null }, E> implements Driver<S, E> {
  abstract readonly operationId: string;

  protected constructor(private readonly machine: PureMachine<S, E>) {}

  reduce(state: S, event: E, now: number): S {
    return this.machine.reduce(state, event, now);
  }

  next(state: S): NextStep | null {
    return state.next;
  }

  isFinal(state: S): boolean {
    return this.machine.isFinal(state);
  }

  isMaterial(previous: S, state: S): boolean {
    return this.machine.isMaterial(previous, state);
  }

  abstract perform(step: NextStep, state: S): Promise<E>;
  abstract writes(previous: S, state: S, event: E | null): { primary: OperationWrite; related: OperationWrite[] };
}

export interface ActorHooks<S> {
  onChange(operationId: string, state: S): void;
  onError(operationId: string, error: unknown): void;
  onSettled(operationId: string): void;
  /** The journal refused a write (true) or took one again (false): new sales stop until it recovers. */
  onJournal?(operationId: string, failing: boolean, error?: unknown): void;
}

/** Floor between two performs of one action when the driver names none. */
export const DEFAULT_MIN_GAP_MS = 10;
/** Journal write failures back off from this, doubling, up to JOURNAL_BACKOFF_MAX_MS: no request storm. */
export const JOURNAL_BACKOFF_MS = 100;
export const JOURNAL_BACKOFF_MAX_MS = 5_000;

/**
 * Epoch-like milliseconds that never jump: anchored to the wall clock once, then advanced by the monotonic
 * clock. Deadlines and poll gaps use it, so a wall-clock fix mid-payment changes nothing (docs/safety.md).
 */
const MONO_ANCHOR = Date.now() - performance.now();
export function monotonicNow(): number {
  return Math.round(MONO_ANCHOR + performance.now());
}

/** Call an observer; whatever it throws stays with it (an observer never breaks an actor). */
export function isolated(onError: (error: unknown) => void, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    try {
      onError(error);
    } catch {
      // the error reporter itself failed: nothing more to do
    }
  }
}

export class OperationActor<S, E> {
  private queue: E[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly finalWaiters: (() => void)[] = [];
  /** When each action was last performed (monotonic ms). */
  private readonly lastRun = new Map<string, number>();
  private journalFailures = 0;
  private journalRetryAt = 0;

  constructor(
    private state: S,
    private readonly driver: Driver<S, E>,
    private readonly store: OperationStore,
    private readonly hooks: ActorHooks<S>,
    private readonly now: () => number = monotonicNow,
  ) {}

  get current(): S {
    return this.state;
  }

  get operationId(): string {
    return this.driver.operationId;
  }

  /** Start acting on the persisted next step (also the recovery path after a restart). */
  start(): void {
    this.schedule();
  }

  dispatch(event: E): void {
    if (this.stopped) return;
    this.queue.push(event);
    this.drain();
  }

  whenFinal(): Promise<void> {
    if (this.driver.isFinal(this.state)) return Promise.resolve();
    return new Promise((resolve) => this.finalWaiters.push(resolve));
  }

  /** Stop timers (shutdown). The journal already holds everything needed to resume. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private drain(): void {
    if (this.busy) return; // the in-flight action's outcome comes first; queued events follow it
    while (this.queue.length > 0 && !this.stopped) {
      const event = this.queue.shift() as E;
      this.apply(event);
    }
    this.schedule();
  }

  private apply(event: E): void {
    const previous = this.state;
    const next = this.driver.reduce(previous, event, this.now());
    if (next === previous) return;
    if (!this.driver.isMaterial(previous, next)) {
      this.state = next; // only the timing of the next step moved
      return;
    }
    try {
      const { primary, related } = this.driver.writes(previous, next, event);
      this.store.write(primary, related);
    } catch (error) {
      // Not durable → do not act on it. Keep the previous state; the event's action will be redone, but only
      // after a growing pause (the journal is not hammered, the server not stormed).
      this.journalFailures += 1;
      this.journalRetryAt = this.now() + Math.min(JOURNAL_BACKOFF_MS * 2 ** (this.journalFailures - 1), JOURNAL_BACKOFF_MAX_MS);
      this.observe(() => this.hooks.onError(this.operationId, error));
      this.observe(() => this.hooks.onJournal?.(this.operationId, true, error));
      return;
    }
    if (this.journalFailures > 0) {
      this.journalFailures = 0;
      this.journalRetryAt = 0;
      this.observe(() => this.hooks.onJournal?.(this.operationId, false));
    }
    this.state = next;
    this.observe(() => this.hooks.onChange(this.operationId, next));
    if (this.driver.isFinal(next)) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      for (const resolve of this.finalWaiters.splice(0)) resolve();
      this.observe(() => this.hooks.onSettled(this.operationId));
    }
  }

  private observe(fn: () => void): void {
    isolated(() => undefined, fn);
  }

  private schedule(): void {
    if (this.stopped || this.busy) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const step = this.driver.isFinal(this.state) ? null : this.driver.next(this.state);
    if (!step) return;
    const now = this.now();
    const last = this.lastRun.get(step.action);
    const gap = this.driver.minGapMs?.(step.action) ?? DEFAULT_MIN_GAP_MS;
    const earliest = Math.max(step.at, last === undefined ? -Infinity : last + gap, this.journalRetryAt);
    const delay = earliest - now;
    if (delay <= 0) {
      // The hot path: no timer hop between the committed intent and the request leaving.
      this.run(step);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(step);
    }, delay);
  }

  private run(step: NextStep): void {
    if (this.stopped) return;
    this.busy = true;
    this.lastRun.set(step.action, this.now());
    let performing: Promise<E>;
    try {
      performing = this.driver.perform(step, this.state);
    } catch (error) {
      performing = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    performing.then(
      (event) => {
        this.busy = false;
        this.queue.unshift(event);
        try {
          this.drain();
        } catch (error) {
          // A driver bug in reduce/writes: report it and retry later rather than leave the operation stuck.
          this.observe(() => this.hooks.onError(this.operationId, error));
          this.timer = setTimeout(() => this.schedule(), 1_000);
        }
      },
      (error: unknown) => {
        this.busy = false;
        this.observe(() => this.hooks.onError(this.operationId, error));
        // perform() must not throw; if it did, try again later rather than leave the operation stuck.
        this.timer = setTimeout(() => this.schedule(), 1_000);
      },
    );
  }
}
