// Suggest existing tags for the last comma-separated entry of a taggit input, through a <datalist>.
(function () {
  "use strict";

  function attach(input) {
    const list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    let timer = null;
    let lastQuery = null;

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });

    function suggest() {
      const parts = input.value.split(",");
      const query = parts.pop().trim();
      const prefix = parts.map((p) => p.trim()).filter(Boolean);
      if (query.length < 1 || query === lastQuery) {
        return;
      }
      lastQuery = query;
      const url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          list.replaceChildren(
            ...data.results
              .filter((name) => !prefix.includes(name))
              .map((name) => {
                const option = document.createElement("option");
                option.value = prefix.concat([name]).join(", ");
                return option;
              })
          );
        })
        .catch(() => list.replaceChildren());
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.tag-autocomplete[data-suggest-url]").forEach(attach);
  });
})();
