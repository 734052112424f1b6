/* Ruamkit: a comment's "Reply" link opens the reply form in place (an enhancement; without
 * JavaScript the link opens the reply page, which has the same form).
 *
 * The form is fetched from the reply page itself (?part=form), so the server keeps the only copy
 * of it, with its permission checks, CSRF token and official-answer box for staff. Whatever goes
 * wrong (offline, signed out meanwhile), the browser follows the link instead.
 */
(function () {
  "use strict";
  var thread = document.getElementById("comments");
  if (!thread || !window.fetch || !window.DOMParser || !Element.prototype.closest) return;

  function focusIn(box) {
    var field = box.querySelector("textarea");
    if (!field) {
      // Comments closed meanwhile: the box holds the reason; read it out.
      box.setAttribute("tabindex", "-1");
      field = box;
    }
    field.focus();
  }

  function open(link) {
    var href = link.href;
    link.setAttribute("aria-busy", "true");
    fetch(href + (href.indexOf("?") < 0 ? "?" : "&") + "part=form", {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var fetched = new DOMParser()
          .parseFromString(html, "text/html")
          .querySelector(".comment-reply-box");
        if (!fetched) throw new Error("no reply form");
        var box = document.importNode(fetched, true);
        var holder = link.parentNode;
        holder.parentNode.insertBefore(box, holder.nextSibling);
        link.removeAttribute("aria-busy");
        link.setAttribute("aria-controls", box.id);
        link.setAttribute("aria-expanded", "true");
        focusIn(box);
      })
      .catch(function () {
        window.location.href = href;
      });
  }

  thread.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment-reply-link");
    // A new tab or window asked for with a modifier gets the reply page, as without JavaScript.
    if (!link || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.hasAttribute("aria-busy")) return;
    var controls = link.getAttribute("aria-controls");
    var box = controls && document.getElementById(controls);
    if (!box) {
      open(link);
      return;
    }
    // Already fetched: the link shows and hides it, keeping what was typed.
    box.hidden = !box.hidden;
    link.setAttribute("aria-expanded", String(!box.hidden));
    if (!box.hidden) focusIn(box);
  });
})();
