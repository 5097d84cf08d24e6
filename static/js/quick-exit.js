// "Leave this site quickly": the button, or Shift pressed three times within two seconds.
//
// 1. The screen goes blank at once.
// 2. The case session ends on the server: a POST to the sign-out address, sent with
//    `keepalive` so it completes even once this page is gone (we wait for it a moment).
// 3. The page empties itself, so a copy the browser keeps for Back (its back/forward
//    cache) holds nothing; if it is shown again anyway, it reloads from the server.
// 4. location.replace() swaps this history entry for the neutral site. Older entries
//    of our site are served `no-store`, so Back fetches them afresh: signed out.
// Browsers give pages no way to erase older history entries.
/** @type {HTMLAnchorElement | null} */
const button = document.querySelector('a[data-quick-exit]');
const SIGN_OUT_WAIT_MS = 1500;

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
    document.documentElement.dataset.left = '';
    window.location.replace(button.href);
  });
}

// A page emptied by a quick exit and brought back from the back/forward cache reloads
// (from the server, which has signed the case out) instead of showing blank.
window.addEventListener('pageshow', (event) => {
  if (event.persisted && 'left' in document.documentElement.dataset) window.location.reload();
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
