/**
 * The files a person has chosen and their hashing, on this device only.
 * Entries (the File, its hashes and its thumbnail URL) live in this page's
 * memory and nowhere else. No DOM here: the page listens for changes.
 */

/**
 * Where a file is: being hashed, usable, or not usable (`error` says why).
 * @typedef {'hashing'|'ready'|'error'} EntryState
 */

/**
 * @typedef {{id: number, file: File, state: EntryState, progress: number,
 *   kind?: 'image'|'video', hashes: import('../hashing/index.js').Hash[], thumbnail?: string,
 *   error?: string, warning?: string, controller: AbortController}} Entry
 */

export class FileSet {
  /**
   * @param {{maxFiles: number, hashing: object}} policy the server's rules: how many
   *   usable (or still hashing) files a case may hold; the hashing library's policy
   * @param {{added: (e: Entry) => void, changed: (e: Entry) => void,
   *          removed: (e: Entry) => void, idle: () => void}} listener
   */
  constructor(policy, listener) {
    this.maxFiles = policy.maxFiles;
    this.hashing = policy.hashing;
    this.listener = listener;
    /** @type {Entry[]} */
    this.entries = [];
    this.nextId = 1;
    /** The hashing library's workers, started when the first file is chosen (not with the page). */
    this.hasher = null;
  }

  /** @returns {Promise<import('../hashing/index.js').Hasher>} */
  loadHasher() {
    this.hasher ??= import('../hashing/index.js').then(({ Hasher }) => new Hasher(this.hashing));
    return this.hasher;
  }

  /** Files that count against the limit: all but those that can't be used. */
  counted() {
    return this.entries.filter((entry) => entry.state !== 'error');
  }

  isHashing() {
    return this.entries.some((entry) => entry.state === 'hashing');
  }

  /**
   * Adds files up to the limit and starts hashing them.
   * @param {File[]} files
   * @returns {File[]} the files refused because the limit was reached
   */
  add(files) {
    const room = Math.max(0, this.maxFiles - this.counted().length);
    for (const file of files.slice(0, room)) {
      /** @type {Entry} */
      const entry = {
        id: this.nextId++, file, state: 'hashing', progress: 0, hashes: [],
        controller: new AbortController(),
      };
      this.entries.push(entry);
      this.listener.added(entry);
      this.hash(entry).finally(() => {
        if (!this.isHashing()) this.listener.idle();
      });
    }
    return files.slice(room);
  }

  /** Forgets a file: stops its hashing and frees its thumbnail. */
  remove(id) {
    const entry = this.entries.find((candidate) => candidate.id === id);
    if (!entry) return;
    this.entries = this.entries.filter((candidate) => candidate !== entry);
    entry.controller.abort();
    if (entry.thumbnail) URL.revokeObjectURL(entry.thumbnail);
    this.listener.removed(entry);
  }

  /** Frees every thumbnail (when leaving the page). */
  clear() {
    for (const entry of [...this.entries]) this.remove(entry.id);
  }

  /**
   * Hashes a file in one of the hasher's workers (it waits its turn there).
   * @param {Entry} entry
   */
  async hash(entry) {
    const { signal } = entry.controller;
    /** @type {import('../hashing/index.js').HashResult} */
    let result;
    try {
      const hasher = await this.loadHasher();
      result = await hasher.hash(entry.file, {
        signal,
        onProgress: (fraction) => {
          entry.progress = fraction;
          this.listener.changed(entry);
        },
      });
    } catch {
      if (signal.aborted) return;
      result = { kind: undefined, hashes: [], error: 'hashing-failed' }; // the hasher did not load
    }
    if (signal.aborted) {
      if (result.thumbnail) URL.revokeObjectURL(result.thumbnail);
      return;
    }
    Object.assign(entry, { kind: result.kind, hashes: result.hashes, thumbnail: result.thumbnail,
                           warning: result.warning, progress: 1 });
    entry.error = result.error ?? this.problemWith(entry);
    entry.state = entry.error ? 'error' : 'ready';
    this.listener.changed(entry);
  }

  /** Why a hashed file still can't be used: too little detail, or chosen twice. */
  problemWith(entry) {
    const [main] = entry.hashes;
    if (entry.kind === 'image' && main.quality < this.hashing.minQuality) return 'low-quality';
    const twin = this.entries.find((other) => other !== entry && other.state === 'ready'
      && other.hashes[0].hashValue === main.hashValue);
    return twin ? 'duplicate' : undefined;
  }
}
