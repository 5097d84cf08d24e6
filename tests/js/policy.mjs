// The server's policy (openncii/policy.py), as the wizard page hands it to the scripts.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** policy.for_browser(20), read from Python so that the tests follow the table. */
export const policy = JSON.parse(execFileSync(`${root}.venv/bin/python`, ['-c',
  'import json; from openncii import policy; print(json.dumps(policy.for_browser(20)))'], { cwd: root }));
export const { formats } = policy.hashing;
