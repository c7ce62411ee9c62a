/** A registered deadline; `cancel` it when the attempt ends first. */
export type Deadline = { cancel(): void };

type Node = {
  at: number;
  fire: () => void;
  prev: Node | null;
  next: Node | null;
  list: List | null;
};

type List = { head: Node | null; tail: Node | null };

/**
 * Job timeouts on one timer instead of a `setTimeout` per attempt (which, with its clear, cost a
 * busy worker more than the rest of the attempt's bookkeeping). Attempts with the same timeout
 * start in time order, so each timeout's deadlines form a list already sorted by when they fall
 * due: adding appends, cancelling unlinks in O(1), and the one timer is armed for the earliest
 * head. A timer that fires for a head cancelled meanwhile finds nothing due and re-arms for the
 * new earliest head, if there is one. Deadlines fire no earlier than they fall due, on the real clock.
 */
export class AttemptDeadlines {
  readonly #lists = new Map<number, List>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerAt = Number.POSITIVE_INFINITY;

  /** Calls `fire` once `ms` have passed, unless cancelled before. */
  add(ms: number, fire: () => void): Deadline {
    let list = this.#lists.get(ms);
    if (!list) {
      list = { head: null, tail: null };
      this.#lists.set(ms, list);
    }
    const node: Node = { at: performance.now() + ms, fire, prev: list.tail, next: null, list };
    if (list.tail) list.tail.next = node;
    else list.head = node;
    list.tail = node;
    if (node.at < this.#timerAt) this.#arm(node.at);
    return { cancel: () => this.#unlink(node) };
  }

  #unlink(node: Node): void {
    const list = node.list;
    if (!list) return;
    if (node.prev) node.prev.next = node.next;
    else list.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else list.tail = node.prev;
    node.list = null;
    node.prev = null;
    node.next = null;
  }

  #arm(at: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    // Left to fire even when everything it timed has ended (clearing and re-arming per job was the
    // cost this class removes); unref'd, so it never holds a process open by itself.
    this.#timer = setTimeout(() => this.#due(), Math.max(0, at - performance.now()));
    this.#timer.unref?.();
  }

  #due(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: Node[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const list of this.#lists.values()) {
      while (list.head && list.head.at <= now) {
        const node = list.head;
        due.push(node);
        this.#unlink(node);
      }
      if (list.head && list.head.at < next) next = list.head.at;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    // A late timer (a busy or stalled process) finds several lists' heads due at once: fire them
    // in the order they fell due, not list by list.
    if (due.length > 1) due.sort((a, b) => a.at - b.at);
    for (const node of due) node.fire();
  }
}
