/* Names for the sliders of the playgrounds (html_js_files in _config.yml).
 *
 * ipywidgets draws a slider with noUiSlider: a <div role="slider"> handle
 * that screen readers announce with no name, only its position, because the
 * widget's visible <label> ("learning rate η") is not tied to it (axe rule
 * aria-input-field-name). Once the widget manager has drawn a slider, this
 * ties them: the handle is labelled by the label and described by the
 * readout, which shows the current value ("0.1").
 */
(function () {
  "use strict";
  let counter = 0;
  function id(element) {
    if (!element.id) {
      counter += 1;
      element.id = "optlib-widget-" + counter;
    }
    return element.id;
  }
  function name(handle) {
    const widget = handle.closest(".widget-slider");
    if (!widget) return;
    const label = widget.querySelector(":scope > .widget-label");
    if (label && label.textContent.trim() && !handle.hasAttribute("aria-labelledby")) {
      handle.setAttribute("aria-labelledby", id(label));
    }
    const readout = widget.querySelector(":scope > .widget-readout");
    if (readout && !handle.hasAttribute("aria-describedby")) {
      handle.setAttribute("aria-describedby", id(readout));
    }
  }
  function scan(root) {
    if (root.matches && root.matches(".noUi-handle")) name(root);
    if (root.querySelectorAll) root.querySelectorAll(".noUi-handle").forEach(name);
  }
  function start() {
    scan(document.body);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (m) { m.addedNodes.forEach(scan); });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
