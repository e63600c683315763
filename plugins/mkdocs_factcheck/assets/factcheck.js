/* mkdocs-factcheck: the citation tooltip and target highlighting. No dependencies.
 *
 * - Hovering (mouse, pen) or focusing a citation link `a.citation-ref` shows the full bibliography entry
 *   of the page (`li#ref-KEY`: formatted text, identifiers, status marks) in a tooltip. On touch, a first
 *   tap shows the tooltip and a second tap on the same citation follows the link. Escape dismisses it.
 * - Without this script the link still goes to the entry and the browser shows the native `title`.
 * - The element a URL's #hash points at (claim, entry, citation) is highlighted, also after Material's
 *   instant navigation, where the browser's `:target` is not updated.
 * Works with Material's `document$` (instant navigation) when present, else on DOMContentLoaded.
 */
(function () {
  "use strict";
  // Once per document: without the plugin the script is inline in every page's content, which instant
  // navigation may bring in again (the per-page work below runs on each `document$` event).
  if (window.__factcheckLoaded) return;
  window.__factcheckLoaded = true;

  var TOOLTIP_ID = "factcheck-tooltip";
  var SHOW_DELAY = 120; // ms before a hover shows the tooltip (a pointer passing over does not)
  var HIDE_DELAY = 200; // ms to move the pointer from the link into the tooltip
  var MARGIN = 8; // px kept between the tooltip and the viewport's edges

  var tooltip = null;
  var current = null; // the citation link whose tooltip is shown
  var pinned = false; // shown by a tap: stays until the next tap elsewhere
  var dismissed = null; // link whose tooltip Escape closed, until the link is left or blurred
  var showTimer = 0;
  var hideTimer = 0;
  var lastPointer = "mouse";
  var tapped = null; // citation link under the last touch: its focus is a tap's, not the keyboard's

  function citationOf(node) {
    return node && node.closest ? node.closest("a.citation-ref") : null;
  }

  /* The `title` moves to `data-factcheck-title`: one tooltip, not the browser's (or Material's) as well. */
  function prepareLinks(root) {
    var links = (root || document).querySelectorAll("a.citation-ref[title]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var title = link.getAttribute("title");
      if (title) link.setAttribute("data-factcheck-title", title);
      link.removeAttribute("title");
    }
  }

  /* Numeric labels line up in a column; labels too wide for one (author-year) get a line of their own. */
  function layoutBibliographies(root) {
    var lists = (root || document).querySelectorAll(".references-list");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var labels = list.querySelectorAll(":scope > li > .reference-label");
      var widest = 0;
      for (var j = 0; j < labels.length; j++) widest = Math.max(widest, labels[j].scrollWidth);
      if (!labels.length || !widest) continue;
      var em = parseFloat(getComputedStyle(list).fontSize) || 16;
      var needed = widest / em + 0.6;
      list.classList.toggle("references-list--stacked", needed > 7);
      if (needed > 2.9 && needed <= 7) list.style.setProperty("--factcheck-label-width", needed.toFixed(2) + "em");
    }
  }

  function entryFor(link) {
    var hash = link.hash || "";
    if (hash.length < 2 || link.pathname !== location.pathname) return null;
    var id;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch (error) {
      id = hash.slice(1);
    }
    var entry = document.getElementById(id);
    return entry && entry.matches("li.reference") ? entry : null;
  }

  function ensureTooltip() {
    if (tooltip && document.body.contains(tooltip)) return tooltip;
    tooltip = document.createElement("div");
    tooltip.id = TOOLTIP_ID;
    tooltip.className = "factcheck-tooltip md-typeset";
    tooltip.setAttribute("role", "tooltip");
    tooltip.hidden = true;
    tooltip.addEventListener("pointerenter", function () {
      clearTimeout(hideTimer);
    });
    tooltip.addEventListener("pointerleave", function (event) {
      if (!pinned && event.pointerType !== "touch") scheduleHide();
    });
    document.body.appendChild(tooltip);
    return tooltip;
  }

  function fill(box, link) {
    box.textContent = "";
    var entry = entryFor(link);
    if (!entry) {
      box.textContent = link.getAttribute("data-factcheck-title") || link.getAttribute("title") || "";
      return;
    }
    for (var node = entry.firstChild; node; node = node.nextSibling) {
      if (node.nodeType === 1 && node.classList.contains("reference-backlinks")) continue;
      var copy = node.cloneNode(true);
      if (copy.nodeType === 1) {
        copy.removeAttribute("id");
        var inner = copy.querySelectorAll("[id], a");
        for (var i = 0; i < inner.length; i++) {
          inner[i].removeAttribute("id");
          if (inner[i].tagName === "A") inner[i].setAttribute("tabindex", "-1");
        }
      }
      box.appendChild(copy);
    }
  }

  function place(box, link) {
    var rects = link.getClientRects();
    var anchor = rects.length ? rects[0] : link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var height = document.documentElement.clientHeight;
    var size = box.getBoundingClientRect();
    var left = anchor.left + anchor.width / 2 - size.width / 2;
    left = Math.max(MARGIN, Math.min(left, width - size.width - MARGIN));
    var below = anchor.bottom + MARGIN;
    var above = anchor.top - MARGIN - size.height;
    var top = below + size.height <= height - MARGIN || above < MARGIN ? below : above;
    top = Math.max(MARGIN, Math.min(top, height - size.height - MARGIN));
    box.style.left = Math.round(left) + "px";
    box.style.top = Math.round(top) + "px";
    box.setAttribute("data-placement", top >= anchor.bottom ? "below" : "above");
  }

  function show(link, byTap) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (dismissed === link && !byTap) return;
    dismissed = null;
    var box = ensureTooltip();
    if (current && current !== link) current.removeAttribute("aria-describedby");
    current = link;
    pinned = !!byTap;
    fill(box, link);
    box.hidden = false;
    place(box, link);
    link.setAttribute("aria-describedby", TOOLTIP_ID);
  }

  function hide(keepPending) {
    if (!keepPending) clearTimeout(showTimer); // a hover on another citation may be about to show
    clearTimeout(hideTimer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    pinned = false;
    if (tooltip) tooltip.hidden = true;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      hide(false);
    }, HIDE_DELAY);
  }

  /* On scroll and resize: follow the link, or close once the link is out of sight. */
  function reposition() {
    if (!current || !tooltip || tooltip.hidden) return;
    var rect = current.getBoundingClientRect();
    var gone = !document.body.contains(current) || rect.bottom < 0 || rect.top > document.documentElement.clientHeight;
    if (gone) hide(true);
    else place(tooltip, current);
  }

  /* ------------------------------------------------------------------ targets */

  var TARGETS = ".claim, li.reference, a.citation-ref, tr[id]";

  function markTarget(id) {
    var old = document.querySelectorAll(".factcheck-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("factcheck-target");
    if (!id) return;
    var element = document.getElementById(id);
    if (element && element.matches(TARGETS)) {
      element.classList.add("factcheck-target");
    }
  }

  function hashId(hash) {
    if (!hash || hash.length < 2) return "";
    try {
      return decodeURIComponent(hash.slice(1));
    } catch (error) {
      return hash.slice(1);
    }
  }

  /* ------------------------------------------------------------------ events (installed once) */

  document.addEventListener("pointerdown", function (event) {
    lastPointer = event.pointerType || "mouse";
    tapped = lastPointer === "mouse" ? null : citationOf(event.target);
    if (current && !citationOf(event.target) && !(tooltip && tooltip.contains(event.target))) hide();
  }, true);

  document.addEventListener("pointerover", function (event) {
    if (event.pointerType === "touch") return;
    var link = citationOf(event.target);
    if (link) {
      clearTimeout(hideTimer);
      if (link !== current) {
        clearTimeout(showTimer);
        showTimer = setTimeout(function () {
          show(link, false);
        }, SHOW_DELAY);
      }
    }
  });

  document.addEventListener("pointerout", function (event) {
    if (event.pointerType === "touch") return;
    var link = citationOf(event.target);
    if (!link || link.contains(event.relatedTarget)) return;
    clearTimeout(showTimer);
    if (dismissed === link) dismissed = null;
    if (link === current && !pinned) scheduleHide();
  });

  document.addEventListener("focusin", function (event) {
    var link = citationOf(event.target);
    if (link && link !== current && link !== tapped) show(link, false);
  });

  document.addEventListener("focusout", function (event) {
    var link = citationOf(event.target);
    if (!link) return;
    if (dismissed === link) dismissed = null;
    if (link === current && !pinned && !link.matches(":hover")) hide();
  });

  document.addEventListener("keydown", function (event) {
    tapped = null;
    lastPointer = "keyboard";
    if ((event.key === "Escape" || event.key === "Esc") && current && tooltip && !tooltip.hidden) {
      dismissed = current;
      hide();
    }
  });

  document.addEventListener("click", function (event) {
    var link = citationOf(event.target);
    if (link) {
      var touch = lastPointer === "touch";
      if (touch && !(current === link && tooltip && !tooltip.hidden)) {
        event.preventDefault(); // first tap: show what the citation is
        show(link, true);
        return;
      }
      hide();
    }
    // In-page links (citation → entry, back-link → citation, report → claim): highlight at once.
    var anchor = event.target.closest ? event.target.closest("a[href*='#']") : null;
    if (anchor && !event.defaultPrevented && anchor.pathname === location.pathname && anchor.host === location.host) {
      markTarget(hashId(anchor.hash));
    }
  });

  window.addEventListener("hashchange", function () {
    markTarget(hashId(location.hash));
  });
  window.addEventListener("resize", reposition);
  window.addEventListener("scroll", reposition, { passive: true, capture: true });

  /* ------------------------------------------------------------------ per page */

  function init() {
    hide();
    prepareLinks(document);
    layoutBibliographies(document);
    markTarget(hashId(location.hash));
  }

  // Before Material mounts its own tooltips on DOMContentLoaded (this script is at the end of <body>).
  prepareLinks(document);

  if (typeof window.document$ !== "undefined" && window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
