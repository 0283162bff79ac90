import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareNatural, sortNatural } from '../../../server/slides/natural-sort';

const sorted = (names: string[]): string[] => sortNatural(names, (name) => name);

describe('natural file-name order', () => {
  it('orders numbers by value: Slide2 before Slide10', () => {
    assert.deepEqual(sorted(['Slide10.png', 'Slide2.png', 'Slide1.png', 'Slide20.png', 'Slide3.png']), [
      'Slide1.png',
      'Slide2.png',
      'Slide3.png',
      'Slide10.png',
      'Slide20.png',
    ]);
  });

  it('ignores case', () => {
    assert.deepEqual(sorted(['banana.png', 'Cherry.png', 'apple.png', 'Apple2.png']), ['apple.png', 'Apple2.png', 'banana.png', 'Cherry.png']);
  });

  it('treats "Slide 1", "slide01" and "slide_1" as neighbours, in a fixed order', () => {
    const names = ['slide 2.png', 'slide01.png', 'Slide 10.png', 'Slide 1.png', 'slide_1.png'];
    const once = sorted(names);
    assert.deepEqual(once.slice(3), ['slide 2.png', 'Slide 10.png']);
    assert.deepEqual(new Set(once.slice(0, 3)), new Set(['Slide 1.png', 'slide01.png', 'slide_1.png']));
    assert.deepEqual(sorted([...names].reverse()), once, 'the order does not depend on the input order');
    assert.ok(compareNatural('Slide 1.png', 'slide01.png') !== 0, 'distinct names never compare equal');
  });

  it('compares digit runs of any length exactly, without parsing them', () => {
    const big = '123456789012345678901234567890';
    assert.ok(compareNatural(`a${big}0`, `a${big}1`) < 0);
    assert.ok(compareNatural('a9', `a${big}`) < 0);
    assert.ok(compareNatural('a9007199254740993', 'a9007199254740992') > 0, 'beyond 2^53 still exact');
    assert.ok(compareNatural('a0000010', 'a9') > 0, 'leading zeros do not add value');
  });

  it('compares the name before the extension', () => {
    assert.deepEqual(sorted(['a (2).png', 'a.png', 'a.jpg']), ['a.jpg', 'a.png', 'a (2).png']);
  });

  it('orders ZIP paths folder by folder', () => {
    assert.deepEqual(sorted(['b/1.png', 'a/10.png', 'a/9.png']), ['a/9.png', 'a/10.png', 'b/1.png']);
  });

  it('puts numbers before words and keeps equal names in input order', () => {
    assert.deepEqual(sorted(['intro.png', '1.png']), ['1.png', 'intro.png']);
    const items = [{ name: 'x.png', n: 1 }, { name: 'x.png', n: 2 }, { name: 'a.png', n: 3 }];
    assert.deepEqual(sortNatural(items, (item) => item.name).map((item) => item.n), [3, 1, 2]);
  });
});
