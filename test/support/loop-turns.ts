// How freely the core's event loop runs while some work is pending (reports made in the worker thread, …).

/** How many turns the event loop makes while `work` is pending: 0 when the work blocks the loop until it is done. */
export async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<[T, number]> {
  let turns = 0;
  let done = false;
  const spin = (): void => {
    if (done) return;
    turns += 1;
    setImmediate(spin);
  };
  setImmediate(spin);
  const value = await work();
  done = true;
  return [value, turns];
}
