/**
 * vitest setupFiles: after each test file, pass or fail, remove the temporary directories its tests
 * made through test/helpers/archive.ts (tmpdir, writeTmp, freshEngine). global-setup.ts checks that
 * the run's private TMPDIR is empty at the end.
 */
import { afterAll } from 'vitest';
import { removeTmpdirs } from '../helpers/archive.js';

afterAll(removeTmpdirs);
