/**
 * Sends a case: hashes and PIN only (and the page language, for the
 * server's messages), to our own origin.
 */

/**
 * @param {string} url the endpoint (POST /api/cases)
 * @param {{pin: string, hashes: Array<object>}} body
 * @returns {Promise<{ok: true, caseNumber: string} | {ok: false, kind: 'network'|'server'|'busy'|'rejected', body?: object}>}
 */
export async function createCase(url, { pin, hashes }) {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
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
  if (response.status >= 400 && response.status < 500 && body) return { ok: false, kind: 'rejected', body };
  return { ok: false, kind: 'server' };
}
