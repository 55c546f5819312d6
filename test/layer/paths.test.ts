import { expect, it } from 'vitest';
import { cleanPath } from '../../src/layer/paths.js';
it("cleans and confines member names as umoci does (joined onto /, cleaned)", () => {
  for (const [a, b] of [['a/b', 'a/b'], ['a/b/', 'a/b'], ['./a', 'a'], ['/a//b', 'a/b'], ['../../x', 'x'], ['a/./b', 'a/b'], ['a/../b', 'b'], ['.', ''], ['./', ''], ['', ''], ['/', ''], ['..', ''], ['a..b/c.', 'a..b/c.'], ['.wh..wh..opq', '.wh..wh..opq'], ['a/.wh.b', 'a/.wh.b'], ['...', '...'], ['a/...', 'a/...']])
    expect(cleanPath(a!), a).toBe(b);
});
