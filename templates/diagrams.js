/* adrsite default theme: draws the page's Mermaid diagrams (```mermaid blocks, written as
   <pre class="mermaid"><code>) with the copy of Mermaid in the site (assets/mermaid.min.js),
   loaded only by pages that have a diagram. Nothing is asked of another host, so diagrams work
   from file:// and offline; without scripts the diagram's source shows as code. */
(function () {
  'use strict';

  if (!window.mermaid) { return; }
  var blocks = Array.prototype.slice.call(document.querySelectorAll('pre.mermaid'));
  if (!blocks.length) { return; }
  var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
  // 'strict': text in diagrams is escaped and click handlers are off.
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme: dark ? 'dark' : 'default'
  });
  blocks.forEach(function (pre) {
    // Mermaid reads the block's text; the <code> element goes, its text stays.
    pre.textContent = pre.textContent;
  });
  window.mermaid.run({ nodes: blocks }).catch(function () { /* the source stays shown */ });
})();
