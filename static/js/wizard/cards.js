/**
 * One card per chosen file: thumbnail, name, progress, then "ready" or the
 * reason it can't be used. Names and thumbnails are only ever shown here.
 */
import { plural } from './messages.js';

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

  add(entry) {
    const card = this.template.content.firstElementChild.cloneNode(true);
    const part = (name) => card.querySelector(`[data-${name}]`);
    const nameId = `file-${entry.id}-name`;
    part('name').textContent = entry.file.name;
    part('name').id = nameId;
    part('remove-name').textContent = entry.file.name;
    part('progress').setAttribute('aria-labelledby', nameId);
    part('status').id = `file-${entry.id}-status`;
    part('remove').addEventListener('click', () => this.onRemove(entry.id));
    this.cards.set(entry.id, card);
    this.list.append(card);
    this.update(entry);
  }

  update(entry) {
    const card = this.cards.get(entry.id);
    if (!card) return;
    const part = (name) => card.querySelector(`[data-${name}]`);
    card.dataset.state = entry.state;
    part('kind').textContent = entry.state === 'ready' ? this.messages[entry.kind === 'video' ? 'video' : 'picture'] : '';
    part('progress').value = Math.round(entry.progress * 100);
    part('progress').hidden = entry.state !== 'hashing';
    part('status').textContent = this.statusText(entry);
    const thumb = part('thumb');
    if (entry.thumbnail && thumb.getAttribute('src') !== entry.thumbnail) {
      thumb.src = entry.thumbnail;
      thumb.hidden = false;
    }
  }

  statusText(entry) {
    const { messages } = this;
    if (entry.state === 'hashing') return messages.hashing;
    if (entry.state === 'error') return messages.problems[entry.error] ?? messages.problems['hashing-failed'];
    if (entry.kind !== 'video') return messages.ready;
    if (entry.warning) return messages.framesUnavailable;
    return plural(messages, messages.readyVideo, entry.hashes.length - 1);
  }

  /** Removes a card; focus goes to the next card's button, else `fallback`. */
  remove(entry, fallback) {
    const card = this.cards.get(entry.id);
    if (!card) return;
    const hadFocus = card.contains(document.activeElement);
    const next = card.nextElementSibling ?? card.previousElementSibling;
    card.remove();
    this.cards.delete(entry.id);
    if (hadFocus) (next?.querySelector('[data-remove]') ?? fallback).focus();
  }
}
