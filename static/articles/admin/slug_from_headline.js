// The slug follows the headline as it is typed, pasted or dictated (any "input" event), with the admin's own URLify,
// so slugs come out as they do everywhere else in the admin. It stops for good once the slug is edited by hand, and
// never starts on a story that has been published (data-slug-locked): its address is public, and a changed slug
// would move it. On a draft it follows only while the slug is still the one the headline gave.
(function () {
  "use strict";

  function attach(slug) {
    const source = document.getElementById(slug.dataset.slugSource);
    if (!source || slug.dataset.slugLocked === "1" || typeof window.URLify !== "function") return;
    const maxLength = parseInt(slug.getAttribute("maxlength"), 10) || 50;
    const slugify = (text) => window.URLify(text, maxLength, false);
    let following = slug.value === "" || slug.value === slugify(source.value);

    slug.addEventListener("input", function () {
      following = slug.value === "";
    });
    source.addEventListener("input", function () {
      if (following) slug.value = slugify(source.value);
    });
  }

  function init() {
    document.querySelectorAll("input[data-slug-source]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
