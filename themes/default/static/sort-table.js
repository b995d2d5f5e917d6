// Sortable tables, as progressive enhancement: a table marked data-sortable is complete and
// readable without this script. With it, each column heading marked data-sort becomes a button
// that sorts the rows by that column (click again to reverse); aria-sort says which column and
// which way. Cells may carry data-value, the value to sort by when it differs from the text; a
// caption with data-label is rewritten to say the order.
(function () {
  "use strict";

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
  }

  function comparer(index, type, direction) {
    var sign = direction === "ascending" ? 1 : -1;
    return function (a, b) {
      var x = cellValue(a.row, index), y = cellValue(b.row, index);
      // Missing values go last whichever way the column is sorted.
      if (x === "" || y === "") return x === y ? a.position - b.position : x === "" ? 1 : -1;
      var order = type === "number" ? Number(x) - Number(y) : collator.compare(x, y);
      return order !== 0 ? sign * order : a.position - b.position;
    };
  }

  function sort(table, heading) {
    var headings = table.tHead.rows[0].cells;
    var current = heading.getAttribute("aria-sort");
    var direction = current === "ascending" ? "descending" : current === "descending" ? "ascending" : heading.getAttribute("data-sort-first") || "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row, position) { return { row: row, position: position }; });
    rows.sort(comparer(heading.cellIndex, heading.getAttribute("data-sort"), direction));
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(headings, function (cell) { cell.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", direction);
    var caption = table.caption;
    if (caption && caption.hasAttribute("data-label")) {
      caption.textContent = caption.getAttribute("data-label") + ", sorted by " + heading.textContent.trim() + ", " + direction;
    }
  }

  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (heading) {
      if (!heading.hasAttribute("data-sort")) return;
      var button = document.createElement("button");
      button.type = "button";
      while (heading.firstChild) button.appendChild(heading.firstChild);
      heading.appendChild(button);
      button.addEventListener("click", function () { sort(table, heading); });
    });
    table.classList.add("is-sortable");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), enhance);
})();
