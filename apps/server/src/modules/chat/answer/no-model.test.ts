import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noModelReply } from './no-model.ts';

describe('noModelReply', () => {
  const modes = ['chat', 'code', 'debug', 'explain', 'optimize'] as const;

  it('says no model is connected, what the mode would do, and both ways to connect one (English)', () => {
    const replies = modes.map((m) => noModelReply(m, 'en'));
    for (const r of replies) {
      assert.match(r, /No language model is connected/);
      assert.match(r, /OpenAI-compatible provider/);
      assert.match(r, /LOCAL_MODEL_PATH/);
    }
    assert.match(noModelReply('debug', 'en'), /can't debug code/);
    assert.equal(new Set(replies).size, modes.length, 'each mode names its own task');
  });

  it('speaks Indonesian when asked to', () => {
    const r = noModelReply('code', 'id');
    assert.match(r, /Belum ada model bahasa/);
    assert.match(r, /menulis kode/);
    assert.match(r, /kompatibel dengan OpenAI/);
    assert.match(r, /LOCAL_MODEL_PATH/);
    assert.doesNotMatch(r, /No language model/);
  });
});
