/**
 * Sends a case: hashes and PIN only (and the page language, for the
 * server's messages), to our own origin.
 *
 * Every send carries an idempotency key. The wizard keeps the same key for as
 * long as it sends the same thing, so a retry after a lost answer (the case was
 * made, but the connection broke on the way back) gets that same case again,
 * never a second one.
 */

/**
 * What became of a send: the case made, or why not (`body`: the server's answer to a
 * rejected case). Test `ok === true` or `ok === false`: with tsconfig's strict off,
 * only a comparison narrows the type (a bare `if (result.ok)` does not).
 * @typedef {{ok: true, caseNumber: string}
 *   | {ok: false, kind: 'network'|'server'|'unavailable'|'busy'|'rejected', body?: object}} CaseResult
 */

/** A new random idempotency key: 18 random bytes, base64url (24 characters). */
export function newRequestKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * @param {string} url the endpoint (POST /api/cases)
 * @param {{pin: string, hashes: Array<object>}} body
 * @param {string} requestKey the submission's idempotency key (the same for its retries)
 * @returns {Promise<CaseResult>}
 */
export async function createCase(url, { pin, hashes }, requestKey) {
  const token = /** @type {HTMLMetaElement} */ (document.querySelector('meta[name="csrf-token"]')).content;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token, 'Idempotency-Key': requestKey },
      body: JSON.stringify({ pin, hashes, consent: true, lang: document.documentElement.lang }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return { ok: false, kind: 'network' };
  }
  const body = await response.json().catch(() => null);
  if (response.status === 201 && body?.caseNumber) return { ok: true, caseNumber: body.caseNumber };
  if (response.status === 429) return { ok: false, kind: 'busy' };
  if (response.status === 503) return { ok: false, kind: 'unavailable' };
  if (response.status >= 400 && response.status < 500 && body) return { ok: false, kind: 'rejected', body };
  return { ok: false, kind: 'server' };
}
