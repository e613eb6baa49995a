// One autosave per change. A text field saves while the person types
// ("input changed delay:1s") and when they leave it ("blur changed"); htmx
// remembers the last value for each trigger apart, so leaving a field whose
// typing was saved already would send the same value a second time. A
// field marked data-autosave sends a value only if it is not the one it
// sent last (a request that never arrived may be sent again).
(() => {
  const lastSent = new WeakMap();
  document.addEventListener("htmx:confirm", (event) => {
    const field = event.detail.elt;
    if (!field.matches("[data-autosave]")) return;
    if (lastSent.get(field) === field.value) {
      event.preventDefault();
      return;
    }
    lastSent.set(field, field.value);
  });
  const forget = (event) => lastSent.delete(event.detail.elt);
  document.addEventListener("htmx:sendError", forget);
  document.addEventListener("htmx:responseError", forget);
})();
