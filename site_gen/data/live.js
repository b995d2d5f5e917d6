// site-gen serve: live reload, the problems panel and the error overlay. Injected into pages by the
// preview server only, never built into the site. Every message arrives formatted (`path:line: message`).
(function () {
  "use strict";
  var overlay = null;
  var panel = null;
  var build = new URL(document.currentScript.src).searchParams.get("build");
  var DISMISSED = "site-gen-problems-dismissed";

  function stylesheet() {
    if (document.getElementById("site-gen-live-css")) return;
    var css = document.createElement("link");
    css.id = "site-gen-live-css";
    css.rel = "stylesheet";
    css.href = "/_site-gen/live.css";
    document.head.appendChild(css);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fill(list, errors) {
    list.textContent = "";
    (errors || []).forEach(function (e) {
      var item = element("li");
      item.appendChild(element("code", "", e.text));
      list.appendChild(item);
    });
  }

  // An error of the site itself: the page explaining it (no site built yet) is updated in place;
  // any other page keeps showing the last good build, with the error over its lower part.
  function showError(data) {
    var list = document.getElementById("site-gen-error-list");
    if (list) return fill(list, data.errors);
    stylesheet();
    if (!overlay) {
      overlay = element("div");
      overlay.id = "site-gen-error";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    overlay.appendChild(element("h2", "", "site-gen: the rebuild failed; you are seeing the last good build"));
    var items = element("ul");
    fill(items, data.errors);
    overlay.appendChild(items);
  }

  function hideError() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function summary(data) {
    var parts = [];
    if (data.errors) parts.push(plural(data.errors, "file", "files") + " with errors");
    if (data.warnings) parts.push(plural(data.warnings, "file", "files") + " with warnings");
    return "site-gen: " + parts.join(", ");
  }

  // Files with errors or warnings: a panel at the top of the page, in its flow (it pushes the page
  // down, never covers it). Dismissed, it stays away until the list changes.
  function showProblems(data) {
    var signature = (data.problems || []).map(function (p) { return p.text; }).join("\n");
    var dismissed = false;
    try { dismissed = sessionStorage.getItem(DISMISSED) === signature; } catch (e) { /* storage off */ }
    if (panel) panel.remove();
    panel = null;
    if (!signature || dismissed) return;
    stylesheet();
    panel = element("aside");
    panel.id = "site-gen-problems";
    panel.setAttribute("aria-labelledby", "site-gen-problems-title");
    var head = element("div", "site-gen-problems-head");
    var title = element("h2", "", summary(data));
    title.id = "site-gen-problems-title";
    var close = element("button", "", "Dismiss");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss the list of files with problems");
    close.addEventListener("click", function () {
      try { sessionStorage.setItem(DISMISSED, signature); } catch (e) { /* storage off */ }
      panel.remove();
      panel = null;
    });
    head.appendChild(title);
    head.appendChild(close);
    panel.appendChild(head);
    var list = element("ul");
    list.tabIndex = 0; // scrollable with the keyboard when long
    list.setAttribute("aria-label", "Files with problems");
    data.problems.forEach(function (p) {
      var item = element("li", "site-gen-" + p.level);
      item.appendChild(element("span", "site-gen-level", p.level + ": "));
      item.appendChild(element("code", "", p.text));
      if (p.kept) item.appendChild(element("span", "site-gen-kept", " (its last good page is still served)"));
      list.appendChild(item);
    });
    panel.appendChild(list);
    if (data.more) {
      panel.appendChild(element("p", "", "... and " + data.more + " more: site-gen build --report FILE lists them all."));
    }
    document.body.insertBefore(panel, document.body.firstChild);
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
    source.addEventListener("problems", function (event) { showProblems(JSON.parse(event.data)); });
    source.addEventListener("build-error", function (event) { showError(JSON.parse(event.data)); });
    source.addEventListener("build-ok", hideError);
  }

  // Connected once the page has loaded: the server lets a rebuild's bookkeeping wait until
  // reloading pages are back, so that it does not compete with their loading.
  if (document.readyState === "complete") connect();
  else window.addEventListener("load", connect);
})();
