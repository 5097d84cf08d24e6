/**
 * The PIN step's hint and checks. The server has the last word (it also
 * refuses the most common PINs); this only helps the person choose.
 */

export const PIN_MIN = 6;

/** A few of the PINs people choose most; the server refuses a longer list. */
const COMMON = new Set(['123123', '121212', '112233', '123321', '159753', '147258', '102030',
  '696969', 'qwerty', 'azerty', 'abc123', 'password', 'letmein', 'iloveyou', 'passw0rd']);

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
 * @returns {''|'short'|'weak'|'fair'|'strong'} '' for an empty PIN
 */
export function pinStrength(pin) {
  if (!pin) return '';
  if (pin.length < PIN_MIN) return 'short';
  const folded = pin.toLowerCase();
  if (COMMON.has(folded) || isPattern(folded)) return 'weak';
  const kinds = [/[0-9]/, /[a-z]/, /[A-Z]/, /[^0-9a-zA-Z]/].filter((kind) => kind.test(pin)).length;
  return pin.length >= 10 || (pin.length >= 8 && kinds >= 2) ? 'strong' : 'fair';
}

/**
 * What is wrong with the two PIN boxes, as wizard error keys with the box at fault.
 * @returns {Array<{field: string, key: string}>}
 */
export function pinErrors(pin, confirmation) {
  if (!pin) return [{ field: 'pin', key: 'pinMissing' }];
  if (pin.length < PIN_MIN) return [{ field: 'pin', key: 'pinShort' }];
  if (pin !== confirmation) return [{ field: 'pin-confirm', key: 'pinMismatch' }];
  return [];
}
