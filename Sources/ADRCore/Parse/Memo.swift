import Foundation

/// Remembers the answers of a pure function of a short string, shared by the parse workers.
///
/// Headings and status values repeat across a log ("Context", "Accepted"): reading them once
/// each, instead of once per file, takes the character-level rules out of the hot path. Only
/// short keys are kept, and at most `limit` of them, so a hostile log cannot grow it.
final class Memo<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String: Value] = [:]
    private let limit: Int
    private let longestKey: Int

    init(limit: Int = 4096, longestKey: Int = 120) {
        self.limit = limit
        self.longestKey = longestKey
    }

    func callAsFunction(_ key: String, _ compute: (String) -> Value) -> Value {
        guard key.utf8.count <= longestKey else { return compute(key) }
        lock.lock()
        let known = answers[key]
        lock.unlock()
        if let known { return known }
        let value = compute(key)
        lock.lock()
        if answers.count < limit { answers[key] = value }
        lock.unlock()
        return value
    }
}
