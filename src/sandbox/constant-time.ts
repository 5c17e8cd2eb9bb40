/**
 * Signature comparison that takes the same time whether the first or the last character
 * differs, so the sandbox does not teach a bad habit its tests would then copy.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when `expected` and `actual` are the same string, compared in constant time. */
export function constantTimeEqual(expected: string, actual: string): boolean {
  // Hashing first gives equal-length inputs, so the length of a wrong guess leaks nothing either.
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();
  const actualDigest = createHash('sha256').update(actual, 'utf8').digest();
  return timingSafeEqual(expectedDigest, actualDigest);
}
