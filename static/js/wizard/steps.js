/**
 * The wizard's steps: one <section data-step="n"> shown at a time. Moving on
 * focuses the step's heading and shows it: from the page top if it shows there, else
 * scrolled to (at high zoom the header would fill the screen), and updates the page title; each step gets a
 * history entry, so the browser's Back button walks back through the steps.
 */
export class Steps {
  /**
   * @param {HTMLElement} root
   * @param {{titleSuffix: string, reachable: (n: number) => number,
   *          entered: (n: number, section: HTMLElement) => void}} options
   *   `reachable(n)` is the furthest step up to n that may be shown now.
   */
  constructor(root, { titleSuffix, reachable, entered }) {
    this.sections = [.../** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-step]'))];
    this.titleSuffix = titleSuffix;
    this.reachable = reachable;
    this.entered = entered;
    this.current = 1;
    window.addEventListener('popstate', (event) => {
      if (event.state?.wizardStep) this.show(event.state.wizardStep, { push: false });
    });
    history.replaceState({ wizardStep: 1 }, '');
  }

  section(n = this.current) {
    return this.sections[n - 1];
  }

  /** Shows step `n` (or the furthest reachable before it). */
  show(n, { push = true, focus = true } = {}) {
    const step = this.reachable(n);
    for (const section of this.sections) section.hidden = Number(section.dataset.step) !== step;
    this.current = step;
    const heading = this.section().querySelector('h1');
    document.title = heading.textContent + this.titleSuffix;
    if (push) history.pushState({ wizardStep: step }, '');
    else history.replaceState({ wizardStep: step }, '');
    this.entered(step, this.section());
    if (!focus) return;
    // Like a new page, from the top, when the heading shows there; else (a small or
    // zoomed screen) from its "Step n of m" line and heading, which the page's
    // scroll-padding keeps clear of the sticky quick exit.
    heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    if (heading.getBoundingClientRect().bottom > window.innerHeight) {
      (this.section().querySelector('.wizard-progress') ?? heading).scrollIntoView({ block: 'start' });
    }
  }
}
