// site-gen serve: live reload. Injected into pages by the preview server only, never built into the site.
(function () {
  "use strict";
  var overlay = null;
  var build = new URL(document.currentScript.src).searchParams.get("build");

  function showError(data) {
    if (!overlay) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = "/_site-gen/live.css";
      document.head.appendChild(css);
      overlay = document.createElement("div");
      overlay.id = "site-gen-error";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-label", "Build error");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("h2");
    title.textContent = "site-gen: the rebuild failed; you are seeing the last good build";
    overlay.appendChild(title);
    (data.errors || []).forEach(function (e) {
      var item = document.createElement("pre");
      item.className = "site-gen-error-item";
      item.textContent = (e.path || "") + (e.line ? ":" + e.line : "") + (e.path ? ": " : "") + e.message;
      overlay.appendChild(item);
    });
  }

  function hideError() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function swapStylesheets() {
    var stamp = Date.now();
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      if (link.href.indexOf("/_site-gen/") !== -1) return;
      var url = new URL(link.href);
      url.searchParams.set("site-gen-reload", stamp);
      link.href = url.toString();
    });
  }

  function connect() {
    var source = new EventSource("/_site-gen/events");
    // A page served just before a rebuild finished would miss its event: the greeting says which build is current.
    source.addEventListener("hello", function (event) {
      if (String(JSON.parse(event.data).build) !== build) location.reload();
      document.documentElement.setAttribute("data-site-gen-live", "connected");
    });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("css", function () { hideError(); swapStylesheets(); });
    source.addEventListener("build-error", function (event) { showError(JSON.parse(event.data)); });
    source.addEventListener("build-ok", hideError);
  }

  // Connected once the page has loaded: the server lets a rebuild's bookkeeping wait until
  // reloading pages are back, so that it does not compete with their loading.
  if (document.readyState === "complete") connect();
  else window.addEventListener("load", connect);
})();
