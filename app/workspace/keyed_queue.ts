/**
 * Runs tasks one at a time per key, in arrival order. The project repository
 * uses the repository path as key, so two turns on one project in this
 * process never race; across processes, update-ref's compare-and-swap does.
 */
const tails = new Map<string, Promise<void>>()

export function runExclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve()
  const run = previous.then(task)
  // The next task waits for this one to settle, whether it failed or not.
  const tail = run.then(
    () => {},
    () => {}
  )
  tails.set(key, tail)
  // Forget idle keys so the map does not grow with every project ever touched.
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key)
  })
  return run
}
