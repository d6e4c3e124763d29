// Client side of the fact-check pages: the all-claims filter and the Pagefind search page.
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // All claims: filter by verdict, article and tag from a compact JSON file, 100 at a time.
  function initFilter(root) {
    var form = root.querySelector(".fc-filters");
    var list = root.querySelector(".fc-list");
    var output = root.querySelector(".fc-shown");
    var badges = {};
    root.querySelectorAll("select[name=verdict] option").forEach(function (o) { if (o.value) badges[o.value] = o.textContent; });
    fetch(root.dataset.src).then(function (r) { return r.json(); }).then(function (data) {
      var rows = data.claims, limit = 100;
      Object.keys(data.articles || {}).forEach(function (id) {
        var o = document.createElement("option");
        o.value = id;
        o.textContent = data.articles[id];
        form.article.appendChild(o);
      });
      function render() {
        var v = form.verdict.value, a = form.article.value, t = form.tag.value;
        var hits = rows.filter(function (r) {
          return (!v || r[2] === v) && (!a || r[3].indexOf(a) >= 0) && (!t || r[4].indexOf(t) >= 0);
        });
        list.innerHTML = hits.slice(0, limit).map(function (r) {
          return '<li class="fc-item" data-verdict="' + esc(r[2]) + '"><a href="' + esc(r[0]) + '/">' + esc(r[1]) +
            '</a> <span class="fc-badge fc-v-' + esc(r[2]) + '">' + esc(badges[r[2]] || r[2]) + "</span></li>";
        }).join("");
        output.textContent = Math.min(limit, hits.length) + " / " + hits.length;
      }
      form.hidden = false;
      form.addEventListener("change", function () { limit = 100; render(); });
      list.insertAdjacentHTML("afterend", "");
      window.addEventListener("scroll", function () {
        if (window.innerHeight + window.scrollY > document.body.offsetHeight - 400 && limit < rows.length) { limit += 100; render(); }
      });
      render();
    });
  }

  // Search: Pagefind's UI on the language's first index partition, the others merged in (bundles.json).
  function initSearch(el) {
    if (typeof PagefindUI === "undefined") return;
    var rtl = document.documentElement.dir === "rtl", root = el.dataset.root;
    // Absolute paths: Pagefind's UI resolves a relative bundlePath against its own script's folder.
    function path(b) { return new URL(root + b + "/", location.href).pathname; }
    fetch(root + "pagefind/bundles.json").then(function (r) { return r.json(); }).then(function (all) {
      var mine = all[el.dataset.lang] || [];
      if (!mine.length) return;
      new PagefindUI({
        element: el,
        bundlePath: path(mine[0]),
        mergeIndex: mine.slice(1).map(function (b) { return {bundlePath: path(b)}; }),
        showImages: false,
        resetStyles: false,
        translations: rtl ? {placeholder: "ابحث في التحققات"} : undefined
      });
      var input = el.querySelector("input");
      if (input) {
        input.setAttribute("dir", "auto");
        var q = new URLSearchParams(location.search).get("q");
        if (q) { input.value = q; input.dispatchEvent(new Event("input")); }
        input.focus();
      }
    });
  }

  function init() {
    document.querySelectorAll("[data-fc-filter]").forEach(initFilter);
    var s = document.getElementById("fc-search");
    if (s) initSearch(s);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
