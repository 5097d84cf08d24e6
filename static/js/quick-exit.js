// "Leave this site quickly": the button, or Shift pressed three times within two seconds.
//
// 1. The screen goes blank at once.
// 2. The case session ends on the server: a POST to the sign-out address, sent with
//    `keepalive` so it completes even once this page is gone (we wait for it a moment).
// 3. The page empties itself, and notes the time of leaving in this tab's session
//    storage (a number, nothing else): any page of ours that the browser kept in its
//    back/forward cache from before -- say the wizard, with its chosen files -- sees it
//    when Back brings it back, and reloads from the server instead of showing itself.
// 4. location.replace() swaps this history entry for the neutral site. Case pages are
//    served `no-store`, so Back fetches them afresh: signed out.
// Browsers give pages no way to erase older history entries.
/** @type {HTMLAnchorElement | null} */
const button = document.querySelector('a[data-quick-exit]');
const SIGN_OUT_WAIT_MS = 1500;
const LEFT_AT = 'openncii-quick-exit';
const CACHE_LIFETIME_MS = 15 * 60 * 1000; // longer than browsers keep pages for Back

/** Ends the case session on the server; resolves when answered (or given up on). */
function signOut() {
  const url = button?.dataset.signOut;
  if (!url) return Promise.resolve();
  const sent = fetch(url, {
    method: 'POST', body: new URLSearchParams({ quick: '1' }), keepalive: true,
    credentials: 'same-origin', cache: 'no-store',
  }).catch(() => undefined);
  return Promise.race([sent, new Promise((resolve) => { setTimeout(resolve, SIGN_OUT_WAIT_MS); })]);
}

let leaving = false;

/** @param {Event} [event] */
function leave(event) {
  event?.preventDefault();
  if (leaving || !button) return;
  leaving = true;
  document.body.hidden = true;
  signOut().then(() => {
    document.title = '';
    document.body.replaceChildren();
    try { sessionStorage.setItem(LEFT_AT, String(Date.now())); } catch { /* storage off */ }
    window.location.replace(button.href);
  });
}

/** When a quick exit last happened in this tab (0: never, or long ago). */
function leftAt() {
  try {
    return Number(sessionStorage.getItem(LEFT_AT)) || 0;
  } catch {
    return 0;
  }
}

// A page put in the back/forward cache before a quick exit, and brought back by Back,
// shows nothing and reloads (from the server, which has signed the case out). So does
// any case page (`data-no-restore`), whatever happened since: it is served `no-store`,
// which browsers normally keep out of that cache, and must only ever come fresh.
let hiddenAt = 0;
const noRestore = 'noRestore' in document.documentElement.dataset;
window.addEventListener('pagehide', () => { hiddenAt = Date.now(); });
window.addEventListener('pageshow', (event) => {
  if (event.persisted && (noRestore || leftAt() >= hiddenAt)) {
    document.body.hidden = true;
    document.body.replaceChildren();
    window.location.reload();
  } else if (!event.persisted && leftAt() && Date.now() - leftAt() > CACHE_LIFETIME_MS) {
    sessionStorage.removeItem(LEFT_AT);
  }
});

if (button) {
  button.addEventListener('click', leave);
  /** @type {number[]} */
  let presses = [];
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Shift' || event.repeat) return;
    const now = Date.now();
    presses = presses.filter((time) => now - time < 2000).concat(now);
    if (presses.length >= 3) leave();
  });
}
