// One identity per node (server/bayeux/node-identity.ts): a name for logs, an instance unique among nodes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeIdentity } from '../../server/bayeux/node-identity';

describe('nodeIdentity', () => {
  test('the instance is the name plus a random suffix, different for every identity made', () => {
    const first = nodeIdentity('web-1');
    const second = nodeIdentity('web-1');
    assert.equal(first.name, 'web-1');
    assert.match(first.instance, /^web-1~[0-9a-f]{8}$/);
    assert.notEqual(first.instance, second.instance);
  });

  test('the default name is this host and process', () => {
    assert.match(nodeIdentity().name, new RegExp(`-${process.pid}$`));
  });

  test('a name with "|" is refused: shared channels put the instance before one', () => {
    assert.throws(() => nodeIdentity('a|b'), TypeError);
  });
});
