(function () {
  "use strict";
  // Progressive enhancement: the scorecard reads in full without this script; with it,
  // each column heading becomes a button that sorts the rows.
  function key(cell, numeric) {
    var raw = cell.getAttribute("data-sort-value");
    if (raw === null) { raw = cell.textContent; }
    if (!numeric) { return raw.trim().toLowerCase(); }
    var number = parseFloat(raw);
    return isNaN(number) ? null : number;
  }
  function compare(a, b, numeric) {
    if (a === b) { return 0; }
    if (a === null) { return 1; }
    if (b === null) { return -1; }
    if (numeric) { return a - b; }
    return a < b ? -1 : 1;
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var headings = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    Array.prototype.forEach.call(headings, function (heading, column) {
      var numeric = heading.getAttribute("data-sort") === "number";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (heading.firstChild) { button.appendChild(heading.firstChild); }
      heading.appendChild(button);
      heading.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        var ascending = heading.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headings, function (other) {
          other.setAttribute("aria-sort", "none");
        });
        heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
          return { row: row, index: index, key: key(row.cells[column], numeric) };
        });
        rows.sort(function (a, b) {
          var order = compare(a.key, b.key, numeric);
          if (order === 0) { return a.index - b.index; }
          if (a.key === null || b.key === null) { return order; }
          return ascending ? order : -order;
        });
        rows.forEach(function (item) { body.appendChild(item.row); });
      });
    });
  });
}());
