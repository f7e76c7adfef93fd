// Bounded selection of the best-scoring slots (a binary min-heap: O(n log k) instead of sorting everything).

export interface Scored {
  slot: number;
  score: number;
}

/** Higher score first; equal scores by lower slot (insertion order) so results are deterministic. */
export function better(a: Scored, b: Scored): boolean {
  return a.score > b.score || (a.score === b.score && a.slot < b.slot);
}

export class TopK {
  private readonly heap: Scored[] = [];
  constructor(private readonly k: number) {}

  get size(): number {
    return this.heap.length;
  }

  /** Lowest score currently kept (−∞ while not full). */
  get floor(): number {
    return this.heap.length < this.k ? -Infinity : this.heap[0]!.score;
  }

  push(slot: number, score: number): void {
    if (this.k <= 0) return;
    const h = this.heap;
    const item = { slot, score };
    if (h.length < this.k) {
      h.push(item);
      this.up(h.length - 1);
    } else if (better(item, h[0]!)) {
      h[0] = item;
      this.down(0);
    }
  }

  /** Best first. */
  sorted(): Scored[] {
    return [...this.heap].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!better(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && better(h[m]!, h[l]!)) m = l;
      if (r < h.length && better(h[m]!, h[r]!)) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
