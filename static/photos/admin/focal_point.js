// Focal point picker for the image admin: click the subject (or use the arrow keys) to fill the two
// fraction fields. The fields stay editable by hand; without this script nothing is lost.
"use strict";
(function () {
  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  function setup(picker) {
    const x = document.getElementById(picker.dataset.xInput);
    const y = document.getElementById(picker.dataset.yInput);
    const img = picker.querySelector("img");
    const marker = picker.querySelector(".focal-marker");
    if (!x || !y || !img || !marker) return;

    function place() {
      const fx = parseFloat(x.value);
      const fy = parseFloat(y.value);
      if (Number.isNaN(fx) || Number.isNaN(fy)) {
        marker.hidden = true;
        return;
      }
      marker.hidden = false;
      marker.style.left = clamp(fx) * 100 + "%";
      marker.style.top = clamp(fy) * 100 + "%";
    }

    function set(fx, fy) {
      x.value = clamp(fx).toFixed(3);
      y.value = clamp(fy).toFixed(3);
      x.dispatchEvent(new Event("change", { bubbles: true }));
      y.dispatchEvent(new Event("change", { bubbles: true }));
      place();
    }

    img.addEventListener("click", function (event) {
      const box = img.getBoundingClientRect();
      set((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    });

    const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    picker.addEventListener("keydown", function (event) {
      const step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      const size = event.shiftKey ? 0.1 : 0.02;
      set((parseFloat(x.value) || 0.5) + step[0] * size, (parseFloat(y.value) || 0.5) + step[1] * size);
    });

    x.addEventListener("input", place);
    y.addEventListener("input", place);
    place();
  }

  function init() {
    document.querySelectorAll(".focal-picker").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
