import { describe, expect, it } from 'vitest';
import { decide, missingLine, needRoot, needTool, requirement, toolsRequired } from './tools.js';

const here = requirement('sh', true, '', 'apt-get install dash');
const gone = requirement('no-such-tool', false, 'not on PATH', 'apt-get install no-such-tool');

describe('the real-tool rule', () => {
  it('runs a test whose tools are all there, required or not', () => {
    expect(decide([here], false)).toBe('run');
    expect(decide([here], true)).toBe('run');
    expect(decide([], true)).toBe('run');
  });

  it('skips a test with a missing tool on a person machine', () => {
    expect(decide([here, gone], false)).toBe('skip');
  });

  it('fails a test with a missing tool under BOXLAB_REQUIRE_TOOLS=1', () => {
    expect(decide([here, gone], true)).toBe('fail');
  });

  it('reads BOXLAB_REQUIRE_TOOLS as a flag', () => {
    expect(toolsRequired({ BOXLAB_REQUIRE_TOOLS: '1' })).toBe(true);
    expect(toolsRequired({ BOXLAB_REQUIRE_TOOLS: 'yes' })).toBe(true);
    expect(toolsRequired({ BOXLAB_REQUIRE_TOOLS: '0' })).toBe(false);
    expect(toolsRequired({ BOXLAB_REQUIRE_TOOLS: '' })).toBe(false);
    expect(toolsRequired({})).toBe(false);
  });

  it('names the tool and the command that installs it in the loud line', () => {
    expect(missingLine(gone, false)).toBe(
      'SKIP (tool missing): no-such-tool (not on PATH) — install with: apt-get install no-such-tool',
    );
    expect(missingLine(gone, true)).toMatch(/^FAIL .*no-such-tool .*apt-get install no-such-tool$/);
  });

  it('finds a tool on PATH and misses one that is not', () => {
    expect(needTool('sh', 'apt-get install dash').available).toBe(true);
    const missing = needTool('boxlab-no-such-tool', 'nothing');
    expect(missing).toMatchObject({ available: false, reason: 'not on PATH', install: 'nothing' });
  });

  it('knows whether it runs as root', () => {
    expect(needRoot().available).toBe(process.getuid?.() === 0);
  });
});
