/**
 * Task durations that follow a known distribution, drawn from a seeded generator, so that tests
 * and benchmarks can plant tasks whose durations they know in advance and check taskwatch's
 * figures (range, median, 95th percentile, stuck calls) against the ones computed from them, or
 * against the distribution's true quantiles. Deterministic: one seed, one sequence, everywhere.
 * Pure; `timed-tasks.ts` turns durations into sandbox tasks.
 */

/** Durations spread evenly between two bounds. */
export interface UniformDistribution {
  readonly name: 'uniform';
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * Durations whose logarithm is normal: most tasks near the median, a long slow tail, as real
 * task durations tend to be. `sigma` is the standard deviation of the natural logarithm.
 */
export interface LognormalDistribution {
  readonly name: 'lognormal';
  readonly medianMs: number;
  readonly sigma: number;
}

/** A distribution of task durations, by name and parameters. */
export type DurationDistribution = UniformDistribution | LognormalDistribution;

/** Durations are drawn to whole seconds: the clouds report times to the second. */
export const DURATION_RESOLUTION_MS = 1000;

/**
 * A seeded pseudo-random generator (mulberry32): numbers in [0, 1), the same sequence for the
 * same seed on every machine. Not for secrets.
 */
export function seededRandom(seed: number): () => number {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Throws a RangeError naming what is wrong with a distribution's parameters. */
export function checkDistribution(distribution: DurationDistribution): void {
  switch (distribution.name) {
    case 'uniform':
      if (!Number.isFinite(distribution.minMs) || !Number.isFinite(distribution.maxMs) || distribution.minMs < 0 || distribution.maxMs < distribution.minMs) {
        throw new RangeError('A uniform distribution needs 0 <= minMs <= maxMs, in milliseconds.');
      }
      return;
    case 'lognormal':
      if (!Number.isFinite(distribution.medianMs) || distribution.medianMs <= 0 || !Number.isFinite(distribution.sigma) || distribution.sigma < 0) {
        throw new RangeError('A lognormal distribution needs a positive medianMs and a sigma of at least 0.');
      }
      return;
    default:
      throw new RangeError(`Unknown distribution "${String((distribution as { name?: unknown }).name)}": use uniform or lognormal.`);
  }
}

/** The standard normal distribution's inverse (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The standard normal distribution's cumulative function (Abramowitz and Stegun 7.1.26, error under 1.5e-7). */
export function normalCdf(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The true q-quantile (0-1) of a distribution, in ms, before rounding to whole seconds. */
export function distributionQuantile(distribution: DurationDistribution, q: number): number {
  checkDistribution(distribution);
  switch (distribution.name) {
    case 'uniform':
      return distribution.minMs + q * (distribution.maxMs - distribution.minMs);
    case 'lognormal':
      return distribution.medianMs * Math.exp(distribution.sigma * normalQuantile(q));
  }
}

/** The share (0-1) of a distribution's durations longer than `ms`. */
export function shareLongerThan(distribution: DurationDistribution, ms: number): number {
  checkDistribution(distribution);
  switch (distribution.name) {
    case 'uniform': {
      if (ms < distribution.minMs) return 1;
      if (ms >= distribution.maxMs) return 0;
      return (distribution.maxMs - ms) / (distribution.maxMs - distribution.minMs);
    }
    case 'lognormal':
      if (ms <= 0) return 1;
      if (distribution.sigma === 0) return ms < distribution.medianMs ? 1 : 0;
      return 1 - normalCdf(Math.log(ms / distribution.medianMs) / distribution.sigma);
  }
}

/**
 * `count` durations drawn from a distribution with generator seed `seed`, each rounded to whole
 * seconds and at least one second. The same arguments give the same durations.
 */
export function drawDurations(distribution: DurationDistribution, count: number, seed: number): number[] {
  checkDistribution(distribution);
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number of durations, 0 or more.');
  const random = seededRandom(seed);
  const durations: number[] = [];
  for (let index = 0; index < count; index += 1) {
    // Inverse transform: a uniform draw in (0, 1) through the quantile function; never exactly 0.
    const u = Math.min(1 - 1e-12, Math.max(1e-12, random()));
    const ms = distributionQuantile(distribution, u);
    durations.push(Math.max(DURATION_RESOLUTION_MS, Math.round(ms / DURATION_RESOLUTION_MS) * DURATION_RESOLUTION_MS));
  }
  return durations;
}

/** "lognormal(median 4 min, sigma 0.5)", "uniform(2-6 min)": a distribution for a report. */
export function distributionLabel(distribution: DurationDistribution): string {
  const minutes = (ms: number): string => `${Number((ms / 60_000).toFixed(2))} min`;
  return distribution.name === 'uniform'
    ? `uniform(${minutes(distribution.minMs)} to ${minutes(distribution.maxMs)})`
    : `lognormal(median ${minutes(distribution.medianMs)}, sigma ${distribution.sigma})`;
}
