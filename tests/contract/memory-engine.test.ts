import { MemoryEngine } from '../../server/bayeux/engine/memory';
import { runEngineContract } from './engine-contract';
import { StubEngine } from '../helpers/stub-engine';

runEngineContract('MemoryEngine', () => new MemoryEngine());

// The protocol unit tests run on the stub engine: it must keep the same contract.
runEngineContract('StubEngine (unit-test helper)', () => new StubEngine());
