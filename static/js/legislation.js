/* Ruamkit: comment on a selected passage of a draft (an enhancement; the page works without it).
 *
 * Offsets are Unicode code points into the draft's text (the text nodes of #draft-text, leaving
 * out anything marked data-not-text), the same count the server keeps (Python str indices).
 * The DOM counts UTF-16 units, so every length goes through Array.from.
 */
(function () {
  "use strict";
  var container = document.getElementById("draft-text");
  var form = document.getElementById("annotation-form");
  if (!container || !form || !container.hasAttribute("data-annotate") || !window.getSelection) {
    return;
  }
  var home = form.parentNode;
  var homeNext = form.nextSibling;
  form.setAttribute("data-not-text", "");

  function codePoints(text) {
    return Array.from(text).length;
  }

  function textNodes() {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var skipped = node.parentNode.closest("[data-not-text]");
        return skipped && container.contains(skipped)
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  // The code-point offset of a DOM boundary point (node, offset) in the draft's text.
  function offsetOf(nodes, node, offset) {
    var point = document.createRange();
    point.setStart(node, offset);
    var total = 0;
    for (var i = 0; i < nodes.length; i++) {
      var text = nodes[i];
      if (text === node) return total + codePoints(text.data.slice(0, offset));
      if (point.comparePoint(text, 0) !== -1) break; // this text starts after the point
      total += codePoints(text.data);
    }
    return total;
  }

  function field(name) {
    return form.querySelector("[name=" + name + "]");
  }

  function show(start, end, quote, range) {
    field("start").value = start;
    field("end").value = end;
    field("quote").value = quote;
    document.getElementById("annotation-quote").textContent = quote;
    // Place the form after the block that holds the end of the selection.
    var block = range.endContainer;
    while (block && block.parentNode !== container) block = block.parentNode;
    if (block) container.insertBefore(form, block.nextSibling);
    form.hidden = false;
    var status = document.getElementById("annotation-status");
    if (status) status.textContent = status.getAttribute("data-opened");
  }

  function hide() {
    form.hidden = true;
    home.insertBefore(form, homeNext);
  }

  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    if (!container.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== container) return;
    if (form.contains(range.startContainer) || form.contains(range.endContainer)) return;
    var nodes = textNodes();
    var all = Array.from(nodes.map(function (n) { return n.data; }).join(""));
    var start = offsetOf(nodes, range.startContainer, range.startOffset);
    var end = offsetOf(nodes, range.endContainer, range.endOffset);
    // Leave out spaces and line breaks at either end of the selection.
    while (start < end && /\s/.test(all[start])) start++;
    while (end > start && /\s/.test(all[end - 1])) end--;
    if (end <= start) return;
    show(start, end, all.slice(start, end).join(""), range);
  }

  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(selected, 250);
  }
  container.addEventListener("mouseup", selected);
  container.addEventListener("keyup", soon);
  container.addEventListener("touchend", soon);
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed && container.contains(selection.anchorNode)) soon();
  });
  var cancel = document.getElementById("annotation-cancel");
  if (cancel) cancel.addEventListener("click", hide);
})();

/* A "comment on this section" link after each heading of the draft, which picks that section in
 * the one section form below the draft. Without JavaScript its list of sections does the same.
 * The links are marked data-not-text, so the draft's text stays exactly the version's plain text.
 */
(function () {
  "use strict";
  var container = document.getElementById("draft-text");
  var choice = document.getElementById("section-choice");
  var body = document.getElementById("section-body");
  var label = container && container.getAttribute("data-section-link");
  if (!container || !choice || !body || !label) return;
  var headings = container.querySelectorAll("h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]");
  Array.prototype.forEach.call(headings, function (heading) {
    if (!choice.querySelector('option[value="' + heading.id + '"]')) return;
    var link = document.createElement("a");
    link.href = "#section-comment";
    link.textContent = label;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      choice.value = heading.id;
      body.focus();
    });
    var holder = document.createElement("p");
    holder.className = "section-comment-link";
    holder.setAttribute("data-not-text", "");
    holder.appendChild(link);
    heading.parentNode.insertBefore(holder, heading.nextSibling);
  });
})();
