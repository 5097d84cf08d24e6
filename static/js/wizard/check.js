/**
 * The check step: which files will be sent, by kind, with how many fingerprints each
 * gives, and which will not; then the fingerprints themselves, under each file's name.
 * Files are called as their cards call them: "File 1"... and, once "Show previews
 * and file names" is ticked, their names (the stylesheet picks which shows).
 * Names are shown only here, on this device.
 */
import { plural } from './messages.js';

/** "1 fingerprint" for a picture; "1 fingerprint of the file and 4 of its frames" for a video. */
function fingerprintText(messages, file) {
  if (file.entry.kind !== 'video') return plural(messages, messages.fingerprints, file.hashes.length);
  const frames = file.hashes.length - 1;
  return frames ? plural(messages, messages.videoHashes, frames) : messages.videoFileOnly;
}

function element(tag, properties = {}, children = []) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

/** A heading and the list of files under it. */
function group(heading, items) {
  return [element('h2', { textContent: heading }), element('ul', { className: 'check-files' }, items)];
}

/**
 * Fills the check step.
 * @param {HTMLElement} list where the groups of files go
 * @param {HTMLElement} hashList the <ol> of fingerprints
 * @param {Array<{entry: object, hashes: Array<object>}>} files what caseFiles() gives
 * @param {Array<{file: File}>} unusable the entries that can't be used
 * @param {object} messages the wizard's words
 * @param {(entry: object) => string} labelOf "File 1"... for an entry
 */
export function showCheck(list, hashList, files, unusable, messages, labelOf) {
  const name = (entry) => {
    const label = element('span', { textContent: labelOf(entry) });
    label.setAttribute('data-file-label', '');
    const fileName = element('bdi', { textContent: entry.file.name });
    fileName.setAttribute('data-name', '');
    return element('span', {}, [label, fileName]);
  };
  const groups = [];
  for (const [kind, words] of [['image', messages.pictures], ['video', messages.videos]]) {
    const ofKind = files.filter((file) => (file.entry.kind === 'video') === (kind === 'video'));
    if (!ofKind.length) continue;
    groups.push(...group(plural(messages, words, ofKind.length), ofKind.map((file) =>
      element('li', {}, [name(file.entry), ': ', fingerprintText(messages, file)]))));
  }
  if (unusable.length) {
    groups.push(...group(messages.notSent, unusable.map((entry) => element('li', {}, [name(entry)]))));
  }
  list.replaceChildren(...groups);
  hashList.replaceChildren(...files.flatMap((file) => file.hashes.map(({ hashValue }) =>
    element('li', {}, [name(file.entry), ' ', element('code', { textContent: hashValue })]))));
}
