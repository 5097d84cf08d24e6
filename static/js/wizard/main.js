/**
 * The case-creation wizard (/<lang>/submit): confirm, choose files (hashed on
 * this device), check, choose a PIN, send. Only hashes and the PIN are ever
 * sent; files, names and thumbnails stay in this page's memory.
 */
import { FileCards } from './cards.js';
import { showCheck } from './check.js';
import { clearErrors, showErrors, showsErrors } from './errors.js';
import { FileSet } from './files.js';
import { keepPlaceOnLanguageChange } from './language.js';
import { loadMessages, loadPolicy, plural } from './messages.js';
import { caseFiles, caseHashes } from './payload.js';
import { pinErrors, pinStrength } from './pin.js';
import { Steps } from './steps.js';
import { createCase, newRequestKey } from './submit.js';

class Wizard {
  constructor(root) {
    this.root = root;
    this.messages = loadMessages();
    this.policy = loadPolicy();
    this.input = this.find('[data-testid="file-input"]');
    this.pin = this.find('[data-testid="pin"]');
    this.pinConfirm = this.find('[data-testid="pin-confirm"]');
    this.cards = new FileCards(this.find('[data-file-cards]'), this.find('[data-card-template]'),
      this.messages, (id) => this.files.remove(id));
    this.files = new FileSet(this.policy, {
      added: (entry) => { this.cards.add(entry); this.filesChanged(); },
      changed: (entry) => { this.cards.update(entry); this.filesChanged(); },
      removed: (entry) => {
        this.cards.remove(entry, this.input);
        this.filesChanged();
        this.announce(this.messages.removed);
      },
      idle: () => this.announce(this.resultsText()),
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
    // An error goes the moment its cause is fixed (a box ticked, a PIN corrected).
    for (const name of ['input', 'change']) this.root.addEventListener(name, () => this.recheck());
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
      const strength = pinStrength(this.pin.value, this.policy.pin);
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
    this.filesChanged();
    this.steps.show(1, { push: false, focus: false });
  }

  /** After a change of language: the script's own words, redrawn in the new one. */
  relabel() {
    clearErrors(this.steps.section(), this.messages.errorPrefix);
    Object.assign(this.messages, loadMessages());
    for (const entry of this.files.entries) this.cards.update(entry);
    this.filesChanged();
    this.pin.dispatchEvent(new Event('input'));
    this.offerRetry();
    this.steps.show(this.steps.current, { push: false, focus: false });
  }

  /** After a send that failed, the send button says "Try again". */
  offerRetry() {
    if (this.attempt) this.find('[data-testid="submit-case"]').textContent = this.messages.tryAgain;
  }

  announce(text) {
    this.find('[data-announcer]').textContent = text;
  }

  /** The summary above the cards (count, overall progress), and errors now fixed. */
  filesChanged() {
    const { messages, files } = this;
    this.find('[data-chosen-count]').textContent = plural(messages, messages.chosen, files.counted().length);
    const { entries } = files;
    const progress = this.find('[data-total-progress]');
    progress.hidden = !files.isHashing();
    progress.value = entries.reduce((sum, entry) => sum + entry.progress, 0) / (entries.length || 1);
    const status = this.find('[data-files-status]');
    if (files.isHashing()) {
      const ready = entries.filter((entry) => entry.state !== 'hashing').length;
      status.textContent = plural(messages, messages.progress, entries.length).replaceAll('{done}', String(ready));
    } else {
      status.textContent = entries.length ? this.resultsText() : '';
    }
    this.recheck();
  }

  /** How many files are ready, and how many can't be used. */
  resultsText() {
    const ready = this.files.entries.filter((entry) => entry.state === 'ready').length;
    const failed = this.files.entries.length - ready;
    return [plural(this.messages, this.messages.filesReady, ready),
      failed ? plural(this.messages, this.messages.filesFailed, failed) : ''].join(' ').trim();
  }

  /** While the current step shows errors: keeps only those still true (adds none,
   * moves no focus). */
  recheck() {
    const n = this.steps.current;
    const section = this.steps.section();
    if (this.policy.steps[n - 1] === 'send' || !showsErrors(section)) return;
    const still = this.problems(n).filter(({ message }) => this.shownMessages.includes(message));
    if (still.length === this.shownMessages.length) return;
    this.showProblems(section, still, { focus: false });
  }

  /** Shows `found` as the errors of `section` (none: clears them). */
  showProblems(section, found, options) {
    this.shownMessages = found.map(({ message }) => message);
    if (found.length) showErrors(section, found, this.messages.errorPrefix, options);
    else clearErrors(section, this.messages.errorPrefix);
  }

  /** Adds chosen or dropped files; says which were refused for being over the limit. */
  addFiles(chosen) {
    const refused = this.files.add([...chosen]);
    this.find('[data-refused]').hidden = !refused.length;
    if (refused.length) {
      this.find('[data-refused-text]').textContent = plural(this.messages, this.messages.refused, refused.length);
      this.find('[data-refused-list]').replaceChildren(...refused.map((file) => {
        const item = document.createElement('li');
        item.append(Object.assign(document.createElement('bdi'), { textContent: file.name }));
        return item;
      }));
    }
    const accepted = chosen.length - refused.length;
    if (accepted) this.announce(plural(this.messages, this.messages.hashingStarted, accepted));
    // The picker has closed: bring the summary and the first cards into view (if out of it).
    const summary = this.find('[data-files-summary]');
    const { top, bottom } = summary.getBoundingClientRect();
    if (top < 0 || bottom > window.innerHeight) summary.scrollIntoView({ block: 'start' });
  }

  /** The hashes of the usable files, as the case will hold them. */
  hashesToSend() {
    return caseHashes(this.files.entries, this.policy.hashing.minQuality);
  }

  /** The number of the step called `name` in the policy's steps (1 for the first). */
  stepNumber(name) {
    return this.policy.steps.indexOf(name) + 1;
  }

  /** What stops the person leaving step `n`: [{field?, group?, message}]. */
  problems(n) {
    const { messages } = this;
    const step = this.policy.steps[n - 1];
    if (step === 'confirm') {
      const unticked = [...this.root.querySelectorAll('[data-consent]')].find((box) => !box.checked);
      return unticked ? [{ field: unticked.id, group: 'consents', message: messages.consentMissing }] : [];
    }
    if (step === 'files' && this.files.isHashing()) return [{ field: this.input.id, message: messages.stillHashing }];
    if (step === 'files' && !this.hashesToSend().length) {
      return [{ field: this.input.id, message: messages.noFiles }];
    }
    if (step === 'pin') {
      return pinErrors(this.pin.value, this.pinConfirm.value, this.policy.pin)
        .map(({ field, key }) => ({ field, message: messages[key] }));
    }
    return [];
  }

  next() {
    const n = this.steps.current;
    if (n === this.stepNumber('send')) {
      this.send();
      return;
    }
    const found = this.problems(n);
    if (found.length) this.showProblems(this.steps.section(), found);
    else this.steps.show(n + 1);
  }

  entered(n, section) {
    const step = this.policy.steps[n - 1];
    if (step !== 'send') clearErrors(section, this.messages.errorPrefix);
    if (step === 'check') this.showSummary();
    if (step === 'send') {
      this.find('[data-send-count]').textContent = plural(this.messages, this.messages.fingerprints, this.hashesToSend().length);
    }
  }

  /** The check step: the files that will be sent, by kind, and their fingerprints. */
  showSummary() {
    const { messages } = this;
    const files = caseFiles(this.files.entries, this.policy.hashing.minQuality);
    const unusable = this.files.entries.filter((entry) => entry.state === 'error');
    const words = this.find('[data-file-cards]').dataset.fileWords ?? '{n}';
    const labelOf = (entry) => words.replace('{n}', String(this.files.entries.indexOf(entry) + 1));
    showCheck(this.find('[data-check-files]'), this.find('[data-hash-list]'), files, unusable, messages, labelOf);
    this.find('[data-count-hashes]').textContent = plural(messages, messages.fingerprints, this.hashesToSend().length);
  }

  /** The last step: sends the case; on failure everything stays as it is, ready to retry. */
  async send() {
    if (this.sending) return;
    this.sending = true;
    const section = this.steps.section(this.stepNumber('send'));
    const status = this.find('[data-sending]');
    clearErrors(section, this.messages.errorPrefix);
    status.textContent = this.messages.sending;
    const submission = { pin: this.pin.value, hashes: this.hashesToSend() };
    const result = await createCase(this.root.dataset.api, submission, this.requestKey(submission));
    status.textContent = '';
    this.sending = false;
    if (result.ok === true) {
      this.attempt = null;
      this.files.clear();
      this.pin.value = this.pinConfirm.value = '';
      window.location.assign(this.root.dataset.done);
      return;
    }
    this.offerRetry();
    const errors = result.kind === 'rejected'
      ? this.rejection(result.body) : [{ message: this.messages[`${result.kind}Error`] }];
    const pinProblems = errors.filter((error) => error.field === 'pin');
    if (pinProblems.length) {
      this.steps.show(this.stepNumber('pin'));
      this.showProblems(this.steps.section(), pinProblems);
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
  for (const name of /** @type {const} */ (['dragover', 'drop'])) {
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
