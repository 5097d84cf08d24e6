/**
 * One card per chosen file: thumbnail, name, progress, then "ready" or the
 * reason it can't be used. Names and thumbnails are only ever shown here.
 */
import { plural } from './messages.js';

/** @typedef {import('./files.js').Entry} Entry */

/**
 * The part of `card` marked `data-<name>`.
 * @param {HTMLElement} card
 * @param {string} name
 * @returns {HTMLElement}
 */
function part(card, name) {
  return card.querySelector(`[data-${name}]`);
}

export class FileCards {
  /**
   * @param {HTMLElement} list the <ul> of cards
   * @param {HTMLTemplateElement} template one card
   * @param {object} messages the wizard's words
   * @param {(id: number) => void} onRemove
   */
  constructor(list, template, messages, onRemove) {
    this.list = list;
    this.template = template;
    this.messages = messages;
    this.onRemove = onRemove;
    /** @type {Map<number, HTMLElement>} */
    this.cards = new Map();
  }

  /** @param {Entry} entry */
  add(entry) {
    const card = /** @type {HTMLElement} */ (this.template.content.firstElementChild.cloneNode(true));
    const nameId = `file-${entry.id}-name`;
    part(card, 'name').textContent = entry.file.name;
    part(card, 'name').id = nameId;
    part(card, 'remove-name').textContent = entry.file.name;
    part(card, 'progress').setAttribute('aria-labelledby', nameId);
    part(card, 'status').id = `file-${entry.id}-status`;
    part(card, 'remove').addEventListener('click', () => this.onRemove(entry.id));
    this.cards.set(entry.id, card);
    this.list.append(card);
    this.update(entry);
  }

  /** @param {Entry} entry */
  update(entry) {
    const card = this.cards.get(entry.id);
    if (!card) return;
    card.dataset.state = entry.state;
    part(card, 'kind').textContent = entry.state === 'ready' ? this.messages[entry.kind === 'video' ? 'video' : 'picture'] : '';
    const progress = /** @type {HTMLProgressElement} */ (part(card, 'progress'));
    progress.value = Math.round(entry.progress * 100);
    progress.hidden = entry.state !== 'hashing';
    part(card, 'status').textContent = this.statusText(entry);
    const thumb = /** @type {HTMLImageElement} */ (part(card, 'thumb'));
    if (entry.thumbnail && thumb.getAttribute('src') !== entry.thumbnail) {
      thumb.src = entry.thumbnail;
      thumb.hidden = false;
    }
  }

  /** @param {Entry} entry */
  statusText(entry) {
    const { messages } = this;
    if (entry.state === 'hashing') return messages.hashing;
    if (entry.state === 'error') return messages.problems[entry.error] ?? messages.problems['hashing-failed'];
    if (entry.kind !== 'video') return messages.ready;
    if (entry.warning) return messages.framesUnavailable;
    return plural(messages, messages.readyVideo, entry.hashes.length - 1);
  }

  /**
   * Removes a card; focus goes to the next card's button, else `fallback`.
   * @param {Entry} entry
   * @param {HTMLElement} fallback
   */
  remove(entry, fallback) {
    const card = this.cards.get(entry.id);
    if (!card) return;
    const hadFocus = card.contains(document.activeElement);
    const next = card.nextElementSibling ?? card.previousElementSibling;
    card.remove();
    this.cards.delete(entry.id);
    /** @type {HTMLElement | null} */
    const nextButton = next?.querySelector('[data-remove]');
    if (hadFocus) (nextButton ?? fallback).focus();
  }
}
