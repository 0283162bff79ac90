import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uncoverCommand } from '../../../components/presenter/uncover';

describe('a press while something covers the slide only uncovers it', () => {
  test('nothing covers the slide: the press moves (no uncover command)', () => {
    assert.equal(uncoverCommand({ blackout: false }), undefined);
    assert.equal(uncoverCommand({ blackout: false, qr: false }), undefined);
  });

  test('the QR, a blackout, or both: one command takes down exactly what is up', () => {
    assert.deepEqual(uncoverCommand({ blackout: false, qr: true }), { qr: false });
    assert.deepEqual(uncoverCommand({ blackout: true }), { blackout: false });
    assert.deepEqual(uncoverCommand({ blackout: true, qr: true }), { qr: false, blackout: false });
  });
});
