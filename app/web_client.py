"""The page a tablet's browser loads: flet-web's own index.html with one script added, written into the assets
directory (flet-web serves an index.html found there in place of its own).

Why the script:
- Offline means offline. The web engine adds a <script> for the Rive animation runtime from a CDN as it starts.
  Courtside draws no Rive animation and the tablet has no network, so the page never adds a script from
  another host: nothing is asked of the internet, and nothing waits for an answer that cannot come.
- Screen readers from the first frame. Flutter's web engine builds the semantics tree (what a screen reader, and
  the end-to-end tests, read) only after someone presses a hidden "Enable accessibility" placeholder. A blind
  officer or defendant would never find it, so the page presses it as soon as the engine has drawn it, and
  again if the engine draws a new one, until the tree is there.
"""

from __future__ import annotations

from pathlib import Path

MARK = "<!-- courtside: offline, accessible -->"

SCRIPT = MARK + """
<script>
(function () {
  function sameHost(node) {
    if (!(node instanceof HTMLScriptElement) || !node.src) return true;
    return new URL(node.src, location.href).origin === location.origin;
  }
  var append = Element.prototype.append;
  Element.prototype.append = function () {
    return append.apply(this, Array.prototype.filter.call(arguments, sameHost));
  };
  var appendChild = Node.prototype.appendChild;
  Node.prototype.appendChild = function (node) {
    return sameHost(node) ? appendChild.call(this, node) : node;
  };
  var tries = 0;
  var timer = setInterval(function () {
    tries += 1;
    if (document.querySelector("flt-semantics") || tries > 600) { clearInterval(timer); return; }
    var placeholder = document.querySelector("flt-semantics-placeholder");
    if (placeholder && tries % 5 === 0) placeholder.click();
  }, 100);
})();
</script>
"""


def write_index(assets_dir: Path, source: Path) -> Path:
    """The flet-web index.html at `source` with the script added before the page's first script runs."""
    html = source.read_text(encoding="utf-8")
    if MARK not in html:
        head = html.index("<script")
        html = html[:head] + SCRIPT + html[head:]
    target = assets_dir / "index.html"
    target.write_text(html, encoding="utf-8")
    return target
