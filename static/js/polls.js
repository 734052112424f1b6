// Multiple-choice questions: once the maximum is ticked, the other boxes rest until one is
// unticked. The server checks the maximum anyway; this only spares a refused ballot.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[type=checkbox][data-max-choices]");
  var groups = {};
  Array.prototype.forEach.call(boxes, function (box) {
    (groups[box.name] = groups[box.name] || []).push(box);
  });
  Object.keys(groups).forEach(function (name) {
    var group = groups[name];
    var max = parseInt(group[0].getAttribute("data-max-choices"), 10);
    function update() {
      var ticked = group.filter(function (b) { return b.checked; }).length;
      group.forEach(function (b) { b.disabled = !b.checked && ticked >= max; });
    }
    group.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
