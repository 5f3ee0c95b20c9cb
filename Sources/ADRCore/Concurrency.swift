import Dispatch
import Foundation

/// Work spread over all cores, each piece writing only its own slot of the result.
package enum Parallel {
    /// `transform` of every index of `0..<count`, in order, computed on all cores in contiguous
    /// ranges.
    package static func map<T>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        inChunks(count) { range in
            for i in range { slots.set(i, transform(i)) }
        }
        return slots.take()
    }

    /// Like `map`, with a scratch value per chunk of work (a cache the pieces of one chunk share).
    package static func map<T, Scratch>(_ count: Int, scratch: @Sendable () -> Scratch,
                                _ transform: @Sendable (Int, inout Scratch) -> T) -> [T] {
        let slots = Slots<T>(count)
        inChunks(count) { range in
            var s = scratch()
            for i in range { slots.set(i, transform(i, &s)) }
        }
        return slots.take()
    }

    /// Runs `work` over `0..<count` in contiguous ranges, on all cores.
    package static func inChunks(_ count: Int, _ work: @Sendable (Range<Int>) -> Void) {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let chunks = cores <= 1 ? 1 : min(cores * 4, count / 32)
        guard chunks > 1 else {
            work(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            work((c * count / chunks)..<((c + 1) * count / chunks))
        }
    }

    /// `transform` of every index, one index per piece of work (for pieces that each take long).
    package static func each<T>(_ count: Int, _ transform: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, transform(i)) }
        return slots.take()
    }
}

/// One slot per index, each written once from concurrent work, read after all of it finished.
/// Every slot must be written before `take()`.
final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    private let count: Int
    private var taken = false

    init(_ count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
    }

    deinit {
        if !taken { base.deinitialize(count: count) }
        base.deallocate()
    }

    func set(_ i: Int, _ value: T) { (base + i).initialize(to: value) }

    /// The values, moved out.
    func take() -> [T] {
        taken = true
        return Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.moveInitialize(from: base, count: count) }
            initialized = count
        }
    }
}
