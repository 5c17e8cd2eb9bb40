import { RecentTaskIds } from '../../../src/chat/discord/recent-task-ids';

describe('RecentTaskIds', () => {
  test('given IDs seen in order, then suggestions come newest first and a repeat moves to the front', () => {
    const recent = new RecentTaskIds();
    recent.remember('g', [{ kind: 'cdn', id: '111' }, { kind: 'cdn', id: '222' }, { kind: 'dcdn', id: '333' }]);
    recent.remember('g', [{ kind: 'cdn', id: '111' }]);
    expect(recent.suggest('g', '', null).map((task) => task.id)).toEqual(['111', '333', '222']);
  });

  test('given a kind and typed text, then only matching IDs of that kind are offered', () => {
    const recent = new RecentTaskIds();
    recent.remember('g', [{ kind: 'cdn', id: 'abc-1' }, { kind: 'cdn', id: 'xyz-2' }, { kind: 'dcdn', id: '12' }]);
    expect(recent.suggest('g', 'ABC', 'cdn')).toEqual([{ kind: 'cdn', id: 'abc-1' }]);
    expect(recent.suggest('g', '', 'dcdn')).toEqual([{ kind: 'dcdn', id: '12' }]);
    expect(recent.suggest('other', '', null)).toEqual([]);
  });

  test('given more IDs and servers than the bounds, then the least recently used are dropped', () => {
    const recent = new RecentTaskIds({ perGuild: 3, guilds: 2 });
    recent.remember('a', ['1', '2', '3', '4'].map((id) => ({ kind: 'cdn' as const, id })));
    expect(recent.suggest('a', '', null).map((task) => task.id)).toEqual(['4', '3', '2']);
    recent.remember('b', [{ kind: 'cdn', id: '5' }]);
    recent.remember('c', [{ kind: 'cdn', id: '6' }]);
    expect(recent.suggest('a', '', null)).toEqual([]);
    expect(recent.suggest('c', '', null)).toHaveLength(1);
  });

  test('given 100 IDs, then at most the limit is offered', () => {
    const recent = new RecentTaskIds();
    recent.remember('g', Array.from({ length: 100 }, (_, index) => ({ kind: 'cdn' as const, id: String(index) })));
    expect(recent.suggest('g', '', null)).toHaveLength(25);
  });
});
