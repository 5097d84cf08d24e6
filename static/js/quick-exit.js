// "Leave this site quickly": the button, or Shift pressed three times within two seconds,
// replaces this page with a neutral site. location.replace() swaps the current history
// entry, so Back does not return here (browsers give pages no way to erase older entries).
const button = document.querySelector("[data-quick-exit]");

function leave(event) {
  event?.preventDefault();
  document.body.hidden = true;
  window.location.replace(button.href);
}

if (button) {
  button.addEventListener("click", leave);
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift" || event.repeat) return;
    const now = Date.now();
    presses = presses.filter((time) => now - time < 2000).concat(now);
    if (presses.length >= 3) leave();
  });
}
