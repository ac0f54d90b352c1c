// Keeps the lead image thumbnail in step with the id chosen in the library popup or typed by hand.
"use strict";
(function () {
  function init() {
    document.querySelectorAll(".lead-image-widget").forEach(function (widget) {
      const input = widget.querySelector("input.vForeignKeyRawIdAdminField");
      const thumb = widget.querySelector(".lead-image-thumb");
      if (!input || !thumb) return;
      function update() {
        const id = input.value.trim();
        if (/^\d+$/.test(id)) {
          thumb.src = widget.dataset.thumbnailBase + id + "/thumbnail/";
          thumb.hidden = false;
        } else {
          thumb.removeAttribute("src");
          thumb.hidden = true;
        }
      }
      input.addEventListener("change", update);
      // The admin's lookup popup announces its choice through jQuery, not a DOM event.
      if (window.django && window.django.jQuery) {
        window.django.jQuery(input).on("change", update);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
