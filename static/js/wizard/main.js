/**
 * The case-creation wizard (/<lang>/submit): confirm, choose files (hashed on
 * this device), check, choose a PIN, send. Only hashes and the PIN are ever
 * sent; files, names and thumbnails stay in this page's memory.
 */
import { FileCards } from './cards.js';
import { clearErrors, showErrors } from './errors.js';
import { FileSet } from './files.js';
import { keepPlaceOnLanguageChange } from './language.js';
import { loadMessages, plural } from './messages.js';
import { caseCounts, caseHashes } from './payload.js';
import { pinErrors, pinStrength } from './pin.js';
import { Steps } from './steps.js';
import { createCase, newRequestKey } from './submit.js';

class Wizard {
  constructor(root) {
    this.root = root;
    this.messages = loadMessages();
    this.input = this.find('[data-testid="file-input"]');
    this.pin = this.find('[data-testid="pin"]');
    this.pinConfirm = this.find('[data-testid="pin-confirm"]');
    this.cards = new FileCards(this.find('[data-file-cards]'), this.find('[data-card-template]'),
      this.messages, (id) => this.files.remove(id));
    this.files = new FileSet(Number(root.dataset.maxFiles), {
      added: (entry) => { this.cards.add(entry); this.showCount(); },
      changed: (entry) => { this.cards.update(entry); this.showCount(); },
      removed: (entry) => {
        this.cards.remove(entry, this.input);
        this.showCount();
        this.announce(this.messages.removed);
      },
      idle: () => this.announceResults(),
    });
    this.steps = new Steps(root, {
      titleSuffix: root.dataset.titleSuffix,
      reachable: (n) => {
        for (let step = 1; step < n; step++) if (this.problems(step).length) return step;
        return n;
      },
      entered: (n, section) => this.entered(n, section),
    });
    this.sending = false;
    /** The last submission tried: what it sent and its idempotency key (see submit.js). */
    this.attempt = null;
  }

  find(selector) {
    return this.root.querySelector(selector);
  }

  /** Wires the controls and shows the first step in place of the no-JavaScript notice. */
  start() {
    this.input.addEventListener('change', () => {
      this.addFiles(this.input.files);
      this.input.value = '';
    });
    watchDrops(this.find('[data-drop-zone]'), (files) => this.addFiles(files));
    this.root.addEventListener('submit', (event) => {
      event.preventDefault();
      this.next();
    });
    for (const back of this.root.querySelectorAll('[data-back]')) {
      back.addEventListener('click', () => this.steps.show(this.steps.current - 1));
    }
    for (const link of this.root.querySelectorAll('[data-goto]')) {
      link.addEventListener('click', () => this.steps.show(Number(link.dataset.goto)));
    }
    this.pin.addEventListener('input', () => {
      const strength = pinStrength(this.pin.value);
      this.find('[data-pin-strength]').textContent = strength ? this.messages.strength[strength] : '';
    });
    this.find('[data-pin-show]').addEventListener('change', (event) => {
      for (const box of [this.pin, this.pinConfirm]) box.type = event.target.checked ? 'text' : 'password';
    });
    // Back from the confirmation page may restore this page as it was: show a step it can still reach.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) this.steps.show(this.steps.current, { push: false, focus: false });
    });
    keepPlaceOnLanguageChange(() => this.relabel());
    document.querySelector('[data-wizard-nojs]')?.setAttribute('hidden', '');
    this.root.hidden = false;
    this.showCount();
    this.steps.show(1, { push: false, focus: false });
  }

  /** After a change of language: the script's own words, redrawn in the new one. */
  relabel() {
    clearErrors(this.steps.section(), this.messages.errorPrefix);
    Object.assign(this.messages, loadMessages());
    for (const entry of this.files.entries) this.cards.update(entry);
    this.showCount();
    this.pin.dispatchEvent(new Event('input'));
    this.steps.show(this.steps.current, { push: false, focus: false });
  }

  announce(text) {
    this.find('[data-announcer]').textContent = text;
  }

  showCount() {
    this.find('[data-chosen-count]').textContent = plural(this.messages.chosen, this.files.counted().length);
  }

  /** Once nothing is hashing: how many files are ready, and how many can't be used. */
  announceResults() {
    const ready = this.files.entries.filter((entry) => entry.state === 'ready').length;
    const failed = this.files.entries.length - ready;
    this.announce([plural(this.messages.filesReady, ready),
      failed ? plural(this.messages.filesFailed, failed) : ''].join(' ').trim());
  }

  /** Adds chosen or dropped files; says which were refused for being over the limit. */
  addFiles(chosen) {
    const refused = this.files.add([...chosen]);
    this.find('[data-refused]').hidden = !refused.length;
    if (refused.length) {
      this.find('[data-refused-text]').textContent = plural(this.messages.refused, refused.length);
      this.find('[data-refused-list]').replaceChildren(...refused.map((file) => {
        const item = document.createElement('li');
        item.append(Object.assign(document.createElement('bdi'), { textContent: file.name }));
        return item;
      }));
    }
    const accepted = chosen.length - refused.length;
    if (accepted) this.announce(plural(this.messages.hashingStarted, accepted));
  }

  /** What stops the person leaving step `n`: [{field?, group?, message}]. */
  problems(n) {
    const { messages } = this;
    if (n === 1) {
      const unticked = [...this.root.querySelectorAll('[data-consent]')].find((box) => !box.checked);
      return unticked ? [{ field: unticked.id, group: 'consents', message: messages.consentMissing }] : [];
    }
    if (n === 2 && this.files.isHashing()) return [{ field: this.input.id, message: messages.stillHashing }];
    if (n === 2 && !caseHashes(this.files.entries).length) {
      return [{ field: this.input.id, message: messages.noFiles }];
    }
    if (n === 4) {
      return pinErrors(this.pin.value, this.pinConfirm.value)
        .map(({ field, key }) => ({ field, message: messages[key] }));
    }
    return [];
  }

  next() {
    const n = this.steps.current;
    if (n === 5) {
      this.send();
      return;
    }
    const found = this.problems(n);
    if (found.length) showErrors(this.steps.section(), found, this.messages.errorPrefix);
    else this.steps.show(n + 1);
  }

  entered(n, section) {
    if (n < 5) clearErrors(section, this.messages.errorPrefix);
    if (n === 3) this.showSummary();
    if (n === 5) {
      this.find('[data-send-count]').textContent =
        plural(this.messages.fingerprints, caseHashes(this.files.entries).length);
    }
  }

  /** Step 3: counts, and the hashes themselves for anyone who wants to see them. */
  showSummary() {
    const counts = caseCounts(this.files.entries);
    this.find('[data-count-pictures]').textContent = plural(this.messages.pictures, counts.pictures);
    this.find('[data-count-videos]').textContent = plural(this.messages.videos, counts.videos);
    this.find('[data-count-hashes]').textContent = plural(this.messages.fingerprints, counts.hashes);
    this.find('[data-hash-list]').replaceChildren(...caseHashes(this.files.entries).map(
      ({ signalType, hashValue }) => {
        const item = document.createElement('li');
        item.append(Object.assign(document.createElement('code'), { textContent: `${signalType} ${hashValue}` }));
        return item;
      }));
  }

  /** Step 5: sends the case; on failure everything stays as it is, ready to retry. */
  async send() {
    if (this.sending) return;
    this.sending = true;
    const section = this.steps.section(5);
    const status = this.find('[data-sending]');
    clearErrors(section, this.messages.errorPrefix);
    status.textContent = this.messages.sending;
    const submission = { pin: this.pin.value, hashes: caseHashes(this.files.entries) };
    const result = await createCase(this.root.dataset.api, submission, this.requestKey(submission));
    status.textContent = '';
    this.sending = false;
    if (result.ok) {
      this.attempt = null;
      this.files.clear();
      this.pin.value = this.pinConfirm.value = '';
      window.location.assign(this.root.dataset.done);
      return;
    }
    this.find('[data-testid="submit-case"]').textContent = this.messages.tryAgain;
    const errors = result.kind === 'rejected'
      ? this.rejection(result.body) : [{ message: this.messages[`${result.kind}Error`] }];
    const pinProblems = errors.filter((error) => error.field === 'pin');
    if (pinProblems.length) {
      this.steps.show(4);
      showErrors(this.steps.section(), pinProblems, this.messages.errorPrefix);
    } else {
      showErrors(section, errors, this.messages.errorPrefix);
    }
  }

  /** The idempotency key for `submission`: the same as last time if it is the same. */
  requestKey(submission) {
    const sent = JSON.stringify(submission);
    if (this.attempt?.sent !== sent) this.attempt = { sent, key: newRequestKey() };
    return this.attempt.key;
  }

  /** The server's reasons for refusing a case (already in the page's language). */
  rejection(body) {
    const items = Array.isArray(body.errors) ? body.errors : [];
    const errors = items.map((item) => ({
      field: item.field === 'pin' ? 'pin' : undefined,
      message: String(item.message ?? ''),
    })).filter((error) => error.message);
    return errors.length ? errors : [{ message: this.messages.serverError }];
  }
}

/** Files dropped on `zone` are added; dropped anywhere else, they are ignored
 * (instead of the browser opening them in place of the page). */
function watchDrops(zone, addFiles) {
  for (const name of ['dragover', 'drop']) {
    document.addEventListener(name, (event) => {
      if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
    });
  }
  zone.addEventListener('dragover', () => zone.classList.add('dragging'));
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    zone.classList.remove('dragging');
    if (event.dataTransfer?.files.length) addFiles(event.dataTransfer.files);
  });
}

const root = document.querySelector('[data-wizard]');
if (root) new Wizard(root).start();
