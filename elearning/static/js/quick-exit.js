// Quick exit: leave a learning page for a neutral one. Without this script it is a plain link to /leave; with it, the
// neutral page replaces this one in the history (location.replace), so Back does not return to it. Pressing Shift three
// times within two seconds does the same. Browsers let no page remove the pages visited before it from the history.
(() => {
  const link = () => document.querySelector("a[data-quick-exit]");
  const leave = (target) => window.location.replace(target.href);

  document.addEventListener("click", (event) => {
    const target = event.target.closest("a[data-quick-exit]");
    if (!target || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    leave(target);
  });

  let presses = [];
  document.addEventListener("keydown", (event) => {
    const target = link();
    if (!target) return;
    if (event.key !== "Shift") {
      presses = [];
      return;
    }
    if (event.repeat) return;
    const now = Date.now();
    presses = presses.filter((time) => now - time < 2000);
    presses.push(now);
    if (presses.length >= 3) {
      presses = [];
      leave(target);
    }
  });
})();
