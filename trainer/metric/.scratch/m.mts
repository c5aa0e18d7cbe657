import { createMiner } from '../miners/index.ts';
import { createReducer } from '../reducers/index.ts';
console.log(createMiner({ name: 'batch_easy_hard' }).name);
try { createMiner({ name: 'batch_easy_hard', pos_strategy: 'semihard' }); } catch (e) { console.log((e as Error).message); }
try { createMiner({ name: 'nope' } as never); } catch (e) { console.log((e as Error).message); }
try { createReducer({ name: 'threshold' }); } catch (e) { console.log((e as Error).message); }
console.log(createReducer({ name: 'per_anchor' }).name);
