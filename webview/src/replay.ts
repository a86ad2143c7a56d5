// The generation replay: steps the "up to generation" filter from 1 to the last generation, one step
// per tick (slower, with nothing moving in between, under reduced motion), then shows all again.
import { reducedMotion } from './dom';

export class Replay {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly button: HTMLButtonElement,
    /** Shows candidates up to g (null: all); `last` marks the final step. */
    private readonly show: (g: number | null, last: boolean) => void,
  ) {}

  toggle(current: number | null, max: number): void {
    if (this.timer) return this.stop();
    if (max <= 1) return;
    let g = current === null || current >= max ? 1 : current;
    this.show(g, false);
    this.button.textContent = 'Stop';
    this.button.setAttribute('aria-pressed', 'true');
    this.timer = setInterval(
      () => {
        g++;
        if (g < max) return this.show(g, false);
        this.show(null, true);
        this.stop();
      },
      reducedMotion() ? 1500 : 600,
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.button.textContent = 'Replay';
    this.button.setAttribute('aria-pressed', 'false');
  }
}
