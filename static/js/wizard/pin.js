/**
 * The PIN step's hint and checks, by the server's rules (the policy's `pin`).
 * The server has the last word; this only helps the person choose.
 */

/**
 * @typedef {{min: number, max: number, common: string[],
 *   strongLength: number, strongMixedLength: number}} PinPolicy
 */

/** True for one repeated symbol or a straight run (111111, 345678, fedcba). */
function isPattern(pin) {
  if (new Set(pin).size === 1) return true;
  const steps = new Set();
  for (let i = 1; i < pin.length; i++) steps.add(pin.charCodeAt(i) - pin.charCodeAt(i - 1));
  return steps.size === 1 && (steps.has(1) || steps.has(-1));
}

/**
 * How hard a PIN would be to guess.
 * @param {string} pin
 * @param {PinPolicy} rules
 * @returns {''|'short'|'weak'|'fair'|'strong'} '' for an empty PIN
 */
export function pinStrength(pin, rules) {
  if (!pin) return '';
  if (pin.length < rules.min) return 'short';
  const folded = pin.toLowerCase();
  if (rules.common.includes(folded) || isPattern(folded)) return 'weak';
  const kinds = [/[0-9]/, /[a-z]/, /[A-Z]/, /[^0-9a-zA-Z]/].filter((kind) => kind.test(pin)).length;
  const strong = pin.length >= rules.strongLength || (pin.length >= rules.strongMixedLength && kinds >= 2);
  return strong ? 'strong' : 'fair';
}

/**
 * What is wrong with the two PIN boxes, as wizard error keys with the box at fault.
 * @param {string} pin
 * @param {string} confirmation
 * @param {PinPolicy} rules
 * @returns {Array<{field: string, key: string}>}
 */
export function pinErrors(pin, confirmation, rules) {
  if (!pin) return [{ field: 'pin', key: 'pinMissing' }];
  if (pin.length < rules.min) return [{ field: 'pin', key: 'pinShort' }];
  if (pin !== confirmation) return [{ field: 'pin-confirm', key: 'pinMismatch' }];
  return [];
}
