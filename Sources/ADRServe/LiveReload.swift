import FlyingSocks
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

/// Connected event-stream clients, each fed from its own AsyncStream.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [UUID: AsyncStream<[UInt8]>.Continuation] = [:]
    private var lastState: String?

    /// A new client's stream; it starts with the current state.
    func connect() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        let id = UUID()
        continuation.onTermination = { [weak self] _ in self?.disconnect(id) }
        lock.lock()
        clients[id] = continuation
        let state = lastState
        lock.unlock()
        continuation.yield(Array(": adrsite preview\nretry: 500\n\n".utf8))
        if let state { continuation.yield(EventHub.encode(event: "state", data: state)) }
        return stream
    }

    private func disconnect(_ id: UUID) {
        lock.lock()
        clients[id] = nil
        lock.unlock()
    }

    var clientCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return clients.count
    }

    func broadcast(event: String, data: String) {
        let bytes = EventHub.encode(event: event, data: data)
        lock.lock()
        if event == "state" { lastState = data }
        let targets = Array(clients.values)
        lock.unlock()
        for c in targets { c.yield(bytes) }
    }

    static func encode(event: String, data: String) -> [UInt8] {
        var text = "event: \(event)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        return Array((text + "\n").utf8)
    }
}

/// An AsyncStream of byte chunks as the buffered byte sequence FlyingFox streams a body from.
struct EventBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let stream: AsyncStream<[UInt8]>

    func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var base: AsyncStream<[UInt8]>.AsyncIterator
        var pending: [UInt8] = []

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty {
                guard let chunk = await base.next() else { return nil }
                pending = chunk
                if pending.isEmpty { return try await next() }
            }
            return pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if !pending.isEmpty {
                let out = Array(pending.prefix(count))
                pending.removeFirst(out.count)
                return out
            }
            while true {
                guard let chunk = await base.next() else { return nil }
                if chunk.isEmpty { continue }
                if chunk.count <= count { return chunk }
                pending = Array(chunk[count...])
                return Array(chunk[..<count])
            }
        }
    }
}
