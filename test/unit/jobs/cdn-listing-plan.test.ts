import type { TaskStatus } from '../../../src/providers/types';
import { CDN_LISTING_MARGIN_MS, planCdnListing, shouldFetchNextPage, wholeListedStatuses } from '../../../src/jobs/sweeps/cdn-listing-plan';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');

function due(id: string, createdAt: string | null): { id: string; createdAt: string | null } {
  return { id, createdAt };
}

function listed(id: string): TaskStatus {
  return {
    kind: 'cdn',
    id,
    account: 'default',
    region: null,
    found: true,
    state: 'running',
    terminal: false,
    rawStatus: 'process',
    progress: 50,
    summary: null,
    items: [],
    createdAt: null,
    updatedAt: null,
    requestId: null,
    observedAt: new Date(NOW).toISOString(),
  };
}

describe('CDN listing plan', () => {
  test('given fewer due tasks than a listing is worth, then every task is described by ID', () => {
    const tasks = [due('1', '2026-11-23T11:00:00.000Z'), due('2', '2026-11-23T11:30:00.000Z')];
    const plan = planCdnListing(tasks, NOW);
    expect(plan.window).toBeNull();
    expect(plan.byId).toEqual(tasks);
  });

  test('given many dated tasks, then the window runs from the oldest creation minus the margin to now', () => {
    const tasks = [due('1', '2026-11-23T11:30:00.000Z'), due('2', '2026-11-23T10:00:00.000Z'), due('3', '2026-11-23T11:59:00.000Z')];
    const plan = planCdnListing(tasks, NOW);
    expect(plan.window?.start.getTime()).toBe(Date.parse('2026-11-23T10:00:00.000Z') - CDN_LISTING_MARGIN_MS);
    expect(plan.window?.end.getTime()).toBe(NOW);
    expect(plan.listed.map((task) => task.id)).toEqual(['1', '2', '3']);
    expect(plan.byId).toEqual([]);
  });

  test('given tasks never seen yet, then they are described by ID and only dated tasks are listed', () => {
    const tasks = [due('1', '2026-11-23T11:00:00.000Z'), due('2', null), due('3', '2026-11-23T11:10:00.000Z'), due('4', '2026-11-23T11:20:00.000Z'), due('5', 'garbage')];
    const plan = planCdnListing(tasks, NOW);
    expect(plan.listed.map((task) => task.id)).toEqual(['1', '3', '4']);
    expect(plan.byId.map((task) => task.id)).toEqual(['2', '5']);
  });

  test('given pages left that cost fewer calls than the missing tasks, then paging goes on; otherwise it stops', () => {
    expect(shouldFetchNextPage({ totalRows: 350, fetchedRows: 100, missing: 40 })).toBe(true);
    expect(shouldFetchNextPage({ totalRows: 350, fetchedRows: 100, missing: 3 })).toBe(false);
    expect(shouldFetchNextPage({ totalRows: 350, fetchedRows: 100, missing: 0 })).toBe(false);
    expect(shouldFetchNextPage({ totalRows: 350, fetchedRows: 350, missing: 5 })).toBe(false);
  });

  test('given a task whose rows straddle two pages, then it is not trusted; nor is the last task of an unfinished listing', () => {
    const pages = [
      [listed('a'), listed('b')],
      [listed('b'), listed('c'), listed('d')],
    ];
    expect([...wholeListedStatuses(pages, true).keys()]).toEqual(['a', 'c', 'd']);
    expect([...wholeListedStatuses(pages, false).keys()]).toEqual(['a', 'c']);
  });
});
