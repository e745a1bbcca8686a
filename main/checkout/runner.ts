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
}

export interface ActorHooks<S> {
  onChange(operationId: string, state: S): void;
  onError(operationId: string, error: unknown): void;
  onSettled(operationId: string): void;
}

export class OperationActor<S, E> {
  private queue: E[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly finalWaiters: (() => void)[] = [];

  constructor(
    private state: S,
    private readonly driver: Driver<S, E>,
    private readonly store: OperationStore,
    private readonly hooks: ActorHooks<S>,
    private readonly now: () => number = Date.now,
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
    const { primary, related } = this.driver.writes(previous, next, event);
    try {
      this.store.write(primary, related);
    } catch (error) {
      // Not durable → do not act on it. Keep the previous state; the event's action will be redone.
      this.hooks.onError(this.operationId, error);
      return;
    }
    this.state = next;
    this.hooks.onChange(this.operationId, next);
    if (this.driver.isFinal(next)) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      for (const resolve of this.finalWaiters.splice(0)) resolve();
      this.hooks.onSettled(this.operationId);
    }
  }

  private schedule(): void {
    if (this.stopped || this.busy) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const step = this.driver.isFinal(this.state) ? null : this.driver.next(this.state);
    if (!step) return;
    const delay = step.at - this.now();
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
    this.driver.perform(step, this.state).then(
      (event) => {
        this.busy = false;
        this.queue.unshift(event);
        this.drain();
      },
      (error: unknown) => {
        this.busy = false;
        this.hooks.onError(this.operationId, error);
        // perform() must not throw; if it did, try again later rather than leave the operation stuck.
        this.timer = setTimeout(() => this.schedule(), 1_000);
      },
    );
  }
}
