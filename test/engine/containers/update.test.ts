/** The three steps of `docker update` (engine/containers/update.ts) on their own. */
import { describe, expect, it } from 'vitest';
import { BoxlabError } from '../../../src/errors.js';
import { normaliseHostConfig } from '../../../src/engine/containers/config.js';
import { initialState, type ContainerRecord } from '../../../src/engine/containers/record.js';
import { cannotUpdate, cgroupLimitsOf, checkUpdatable, mergeUpdate, verifyUpdate } from '../../../src/engine/containers/update.js';

const MB = 1024 * 1024;
const host = (h: Record<string, unknown> = {}) => normaliseHostConfig(h, 1);
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof BoxlabError ? [e.code, e.message] : ['?', String(e)];
  }
  return ['none', ''];
};

describe('verifyUpdate', () => {
  it('refuses what the request alone gets wrong, as InvalidArgument', () => {
    expect(codeOf(() => verifyUpdate({ Memory: 4 * MB }, 2))).toEqual(['InvalidArgument', 'Minimum memory limit allowed is 6MB']);
    expect(codeOf(() => verifyUpdate({ Memory: 128 * MB, MemorySwap: 64 * MB }, 2))[1]).toBe('Minimum memoryswap limit should be larger than memory limit, see usage');
    expect(codeOf(() => verifyUpdate({ NanoCpus: 3e9 }, 2))[1]).toBe('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(codeOf(() => verifyUpdate({ NanoCpus: 1e9, CpuPeriod: 50000 }, 2))[1]).toBe('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    expect(codeOf(() => verifyUpdate({ RestartPolicy: { Name: 'bogus' } }, 2))[1]).toBe("invalid restart policy 'bogus'");
  });

  it('answers null without warnings and turns a negative pids limit into 0', () => {
    const r = { PidsLimit: -1 };
    expect(verifyUpdate(r, 2)).toBeNull();
    expect(r.PidsLimit).toBe(0);
  });
});

describe('mergeUpdate', () => {
  it('keeps the fields a request leaves 0 and takes the others', () => {
    const h = host({ Memory: 32 * MB, CpuShares: 512 });
    const next = mergeUpdate({ Memory: 48 * MB, PidsLimit: 9, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } }, h);
    expect([next.Memory, next.MemorySwap, next.CpuShares, next.PidsLimit, next.RestartPolicy]).toEqual([48 * MB, 64 * MB, 512, 9, { Name: 'on-failure', MaximumRetryCount: 2 }]);
  });

  it('refuses a memory limit above the swap already set, and leaves the HostConfig as it was', () => {
    const h = host({});
    expect(codeOf(() => mergeUpdate({ Memory: 64 * MB, RestartPolicy: { Name: 'always' } }, h))[0]).toBe('FailedPrecondition');
    expect([h.Memory, h.RestartPolicy.Name]).toEqual([0, 'no']);
    expect(mergeUpdate({ Memory: 64 * MB, MemorySwap: -1 }, h).MemorySwap).toBe(-1);
  });

  it('refuses a restart policy with AutoRemove but takes `no`', () => {
    const h = host({ AutoRemove: true });
    expect(codeOf(() => mergeUpdate({ RestartPolicy: { Name: 'always' } }, h))[1]).toBe('Restart policy cannot be updated because AutoRemove is enabled for the container');
    expect(mergeUpdate({ RestartPolicy: { Name: 'no' } }, h).RestartPolicy.Name).toBe('no');
  });

  it('keeps NanoCPUs and a CFS period or quota apart', () => {
    expect(codeOf(() => mergeUpdate({ CpuQuota: 50000 }, host({ NanoCpus: 1.5e9 })))[1]).toBe('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
    expect(codeOf(() => mergeUpdate({ NanoCpus: 1e9 }, host({ CpuPeriod: 50000 })))[1]).toBe('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  });
});

describe('checkUpdatable and cannotUpdate', () => {
  it('refuses a dead container or one being removed, with the container in the words', () => {
    const rec = { id: 'a'.repeat(64), state: { ...initialState(), Status: 'removing' } } as ContainerRecord;
    const err = cannotUpdate(rec.id, (() => { try { checkUpdatable(rec); } catch (e) { return e; } return null; })());
    expect(err).toMatchObject({ code: 'Unavailable', message: `Cannot update container ${rec.id}: container is marked for removal and cannot be "update"` });
  });
});

describe('cgroupLimitsOf', () => {
  it('gives runc the HostConfig limits, a pids limit of 0 being none', () => {
    expect(cgroupLimitsOf({ ...host({ Memory: 32 * MB, NanoCpus: 5e8 }), PidsLimit: 0 })).toMatchObject({ memory: 32 * MB, memorySwap: 64 * MB, nanoCpus: 5e8, pidsLimit: 0 });
  });
});
