/**
 * A bound on audit lines that anyone can cause. Refused calls that carry no credential (an
 * API 401) cost an attacker nothing, so writing one line each would let whoever reaches the port
 * fill the log and bury the lines that matter. The budget admits a fixed number of lines per
 * window; the rest are counted, and the next admitted line reports that count, so the log still
 * says how much happened.
 */

/** The answer of {@link AuditLineBudget.take}. */
export interface AuditLineTicket {
  /** Whether this event gets its own line. */
  readonly write: boolean;
  /** When `write`: how many events since the last written line were left out (0 when none). */
  readonly suppressed: number;
}

/** Admits at most `limit` lines per `windowMs` of `now`; one process's count. */
export class AuditLineBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private written = 0;
  private skipped = 0;

  /**
   * @param limit lines admitted per window.
   * @param windowMs the window's length.
   * @param now real time in epoch ms.
   */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event; says whether to write its line, and how many were left out before it. */
  take(): AuditLineTicket {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written >= this.limit) {
      this.skipped += 1;
      return { write: false, suppressed: 0 };
    }
    this.written += 1;
    const suppressed = this.skipped;
    this.skipped = 0;
    return { write: true, suppressed };
  }
}
