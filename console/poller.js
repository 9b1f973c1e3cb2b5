/**
 * Runs `refresh` now and then every `ms` while a panel is visible and auto-refresh is on.
 * Never overlaps two refreshes: a slow edge must not pile up requests.
 *
 * @example
 * const live = poller(5000, load); panel.show = live.start; panel.hide = live.stop;
 */
export function poller(ms, refresh) {
  let timer;
  let running = false;
  let enabled = true;
  let visible = false;
  async function tick() {
    if (running) return;
    running = true;
    try {
      await refresh();
    } finally {
      running = false;
    }
  }
  function schedule() {
    clearInterval(timer);
    timer = visible && enabled ? setInterval(tick, ms) : undefined;
  }
  return {
    start() {
      visible = true;
      schedule();
      return tick();
    },
    stop() {
      visible = false;
      schedule();
    },
    setEnabled(on) {
      enabled = on;
      schedule();
    },
    now: tick,
  };
}
