import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractCodeBlocks, normalizeLanguage } from './extract-code-blocks.ts';

describe('extractCodeBlocks', () => {
  it('finds every fenced block with its language and the prose line before it', () => {
    const md = [
      'Here is how to do it.',
      '',
      '## Install the client',
      '',
      '```bash',
      'npm install pg',
      '```',
      '',
      'Then **connect** with `pg`:',
      '```ts',
      "import pg from 'pg';",
      '',
      'const pool = new pg.Pool();',
      '```',
      'Done.',
    ].join('\n');
    assert.deepEqual(extractCodeBlocks(md), [
      { language: 'bash', code: 'npm install pg', heading: 'Install the client' },
      {
        language: 'typescript',
        code: "import pg from 'pg';\n\nconst pool = new pg.Pool();",
        heading: 'Then connect with pg',
      },
    ]);
  });

  it('has no heading for a block that opens the text, and `text` for a fence without a tag', () => {
    assert.deepEqual(extractCodeBlocks('```\nSELECT 1;\n```'), [
      { language: 'text', code: 'SELECT 1;', heading: null },
    ]);
  });

  it('closes a fence only with the same character at least as long (nested fences stay inside)', () => {
    const md = [
      '````markdown',
      'Example:',
      '```js',
      'x()',
      '```',
      '````',
      '~~~python',
      'print(1)',
      '~~~',
    ].join('\n');
    const blocks = extractCodeBlocks(md);
    assert.equal(blocks.length, 2);
    assert.equal(blocks[0]!.language, 'markdown');
    assert.equal(blocks[0]!.code, 'Example:\n```js\nx()\n```');
    assert.equal(blocks[1]!.language, 'python');
    assert.equal(blocks[1]!.code, 'print(1)');
  });

  it('removes the indentation of a fence nested in a list item, keeps the code’s own indentation', () => {
    const md = ['1. Write the function:', '    ```py', '    def f():', '        return 1', '    ```'].join(
      '\n',
    );
    assert.deepEqual(extractCodeBlocks(md), [
      { language: 'python', code: 'def f():\n    return 1', heading: 'Write the function' },
    ]);
  });

  it('runs an unclosed fence to the end, skips empty blocks, ignores inline triple backticks', () => {
    const md = [
      'Use ```js``` inline, not a fence.',
      '```',
      '   ',
      '```',
      'Last:',
      '```go',
      'func main() {}',
    ].join('\r\n');
    assert.deepEqual(extractCodeBlocks(md), [{ language: 'go', code: 'func main() {}', heading: 'Last' }]);
  });

  it('returns nothing for text without fences', () => {
    assert.deepEqual(extractCodeBlocks('Connect a model to get code answers.'), []);
  });
});

describe('normalizeLanguage', () => {
  it('maps common aliases and fence info strings to one stored name', () => {
    assert.equal(normalizeLanguage('TS'), 'typescript');
    assert.equal(normalizeLanguage('js title="a.js"'), 'javascript');
    assert.equal(normalizeLanguage('{.python}'), 'python');
    assert.equal(normalizeLanguage('language-rust'), 'rust');
    assert.equal(normalizeLanguage('C++'), 'cpp');
    assert.equal(normalizeLanguage('elixir'), 'elixir');
  });

  it('falls back to text for missing or unusable tags', () => {
    assert.equal(normalizeLanguage(''), 'text');
    assert.equal(normalizeLanguage(undefined), 'text');
    assert.equal(normalizeLanguage('<script>'), 'text');
  });
});
