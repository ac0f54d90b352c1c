// The photo library picker opened by the body editor's "Browse..." button. Picking hands the image's URL,
// id, alt text and caption back to the editor (django-prose-editor speaks CKEditor's callback protocol).
"use strict";
(function () {
  function init() {
    const grid = document.querySelector(".image-picker");
    if (!grid) return;
    const funcNum = grid.dataset.funcNum;
    grid.addEventListener("click", function (event) {
      const choice = event.target.closest(".image-choice");
      if (!choice) return;
      const editor = window.opener && window.opener.CKEDITOR && window.opener.CKEDITOR.tools;
      if (!editor || !funcNum) {
        window.alert("Open this picker from the article editor's “Insert figure” dialog.");
        return;
      }
      editor.callFunction(funcNum, choice.dataset.url, {
        id: choice.dataset.id,
        alternative_text: choice.dataset.alt,
        caption: choice.dataset.caption,
      });
      window.close();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
