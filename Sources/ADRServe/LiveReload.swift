import Foundation

/// The script `serve` adds to every page: it listens to /__adrsite/events, reloads when the
/// site was rebuilt, and shows the build's diagnostics in an overlay while there are any.
enum LiveReload {
    static let script = """
    <script>
    (function () {
      'use strict';
      var box = null;
      function show(state) {
        if (!state.diagnostics.length) { if (box) { box.remove(); box = null; } return; }
        if (!box) {
          box = document.createElement('div');
          box.id = 'adrsite-diagnostics';
          box.setAttribute('role', 'alert');
          box.style.cssText = 'position:fixed;left:0;right:0;bottom:0;max-height:45vh;overflow:auto;z-index:2147483647;'
            + 'margin:0;padding:.8em 1.2em;font:13px/1.45 ui-monospace,DejaVu Sans Mono,monospace;'
            + 'background:#1f2328;color:#f0f6fc;border-top:4px solid #d29922;box-shadow:0 -4px 16px rgba(0,0,0,.3)';
          document.body.appendChild(box);
        }
        box.style.borderTopColor = state.broken ? '#f85149' : '#d29922';
        while (box.firstChild) { box.removeChild(box.firstChild); }
        var head = document.createElement('strong');
        head.textContent = state.broken
          ? 'The last change broke the build; the last good site is shown.'
          : state.diagnostics.length + ' warning' + (state.diagnostics.length === 1 ? '' : 's') + ' from the last build';
        box.appendChild(head);
        var list = document.createElement('pre');
        list.style.cssText = 'margin:.5em 0 0;white-space:pre-wrap';
        list.textContent = state.diagnostics.join('\\n');
        box.appendChild(list);
      }
      var events = new EventSource('/__adrsite/events');
      events.addEventListener('state', function (e) { show(JSON.parse(e.data)); });
      events.addEventListener('reload', function () { window.location.reload(); });
    }());
    </script>
    """
}

/// The events of /__adrsite/events: `state` after every build (also sent first to a new
/// client), `reload` after a good one. The server holds the streams and sends them to each.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var lastState: String?
    private var sink: (@Sendable ([UInt8]) -> Void)?

    /// Where broadcast events go (the server's streams); set once the server listens.
    var deliver: (@Sendable ([UInt8]) -> Void)? {
        get { lock.lock(); defer { lock.unlock() }; return sink }
        set { lock.lock(); sink = newValue; lock.unlock() }
    }

    /// The first bytes of a new stream: how long to wait before reconnecting, and the current state.
    func greeting() -> [UInt8] {
        lock.lock()
        let state = lastState
        lock.unlock()
        return Array(": adrsite preview\nretry: 500\n\n".utf8) + (state.map { EventHub.encode(event: "state", data: $0) } ?? [])
    }

    func broadcast(event: String, data: String) {
        lock.lock()
        if event == "state" { lastState = data }
        let sink = self.sink
        lock.unlock()
        sink?(EventHub.encode(event: event, data: data))
    }

    static func encode(event: String, data: String) -> [UInt8] {
        var text = "event: \(event)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return Array((text + "\n").utf8)
    }
}
