// Copy buttons, as progressive enhancement: an element with data-copy="Button label" gets a
// button after it that copies its text. Without this script the text is there to select.
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(text, element) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Older browsers and plain-http hosting: copy the selection instead.
    selectText(element);
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function enhance(element) {
    var actions = document.createElement("p");
    actions.className = "copy-actions";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = element.getAttribute("data-copy");
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    actions.appendChild(button);
    actions.appendChild(status);
    element.insertAdjacentElement("afterend", actions);
    button.addEventListener("click", function () {
      copy(element.textContent.trim(), element).then(
        function () { status.textContent = "Copied to the clipboard."; },
        function () { selectText(element); status.textContent = "Copying is blocked here: the text is selected, press Ctrl+C (⌘C) to copy it."; }
      );
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), enhance);
})();
