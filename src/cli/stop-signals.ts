/**
 * How a running `taskwatch start` learns that it should stop: SIGTERM, SIGINT or SIGHUP sent to
 * it, or, when npm started it, npm going away. The first request asks for a graceful stop; any
 * later one asks to hurry.
 *
 * Why npm needs watching: `npm start` execs node in place of the script's shell, so npm forwards
 * SIGTERM and SIGINT to us and then exits with our exit code. npm does not forward SIGHUP; it dies
 * of it, and we would be left running, orphaned, with our child redis-server. So when npm is our
 * parent, a change of parent counts as a stop request too.
 */

/** The signals that stop taskwatch. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Why a stop was requested: a signal's name, or what else happened. */
export type StopReason = (typeof STOP_SIGNALS)[number] | 'parent exited' | 'terminal closed';

/** What {@link listenForStopRequests} watches, injectable so that tests need no real signals. */
export interface StopRequestSources {
  /** Subscribes to a process signal; returns the unsubscribe. Default: `process.on`. */
  readonly onSignal?: (signal: NodeJS.Signals, listener: () => void) => () => void;
  /**
   * The parent's pid as seen now; when it differs from the one at start, the parent has gone.
   * Null: do not watch the parent (taskwatch was not started by npm).
   */
  readonly parentPid?: (() => number) | null;
  /** How often the parent is checked. Default 500 ms. */
  readonly parentCheckMs?: number;
}

/** A subscription to stop requests. */
export interface StopRequests {
  /** Resolves with the first request's reason. */
  readonly first: Promise<StopReason>;
  /** Resolves with the reason of the next request after the first (a second Ctrl-C, a second SIGTERM). */
  readonly second: Promise<StopReason>;
  /** Stops listening; the signals get their default behaviour back. */
  dispose(): void;
}

/**
 * Listens for stop requests from now on. Handlers stay installed until `dispose`, so a second
 * signal during a slow stop reaches us instead of killing the process with the child
 * redis-server left running.
 */
export function listenForStopRequests(sources: StopRequestSources = {}): StopRequests {
  const onSignal =
    sources.onSignal ??
    ((signal: NodeJS.Signals, listener: () => void) => {
      process.on(signal, listener);
      return () => process.off(signal, listener);
    });
  const requests: Array<(reason: StopReason) => void> = [];
  const first = new Promise<StopReason>((resolve) => requests.push(resolve));
  const second = new Promise<StopReason>((resolve) => requests.push(resolve));
  let count = 0;
  const request = (reason: StopReason): void => {
    requests[Math.min(count, requests.length - 1)]?.(reason);
    count += 1;
  };

  const unsubscribers = STOP_SIGNALS.map((signal) => onSignal(signal, () => request(signal)));
  let timer: NodeJS.Timeout | null = null;
  const parentPid = sources.parentPid ?? null;
  if (parentPid !== null) {
    const startParent = parentPid();
    timer = setInterval(() => {
      if (parentPid() === startParent) return;
      if (timer) clearInterval(timer);
      timer = null;
      request('parent exited');
    }, sources.parentCheckMs ?? 500);
    // Watching must not keep the process alive once everything else has stopped.
    timer.unref();
  }

  return {
    first,
    second,
    dispose: () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
