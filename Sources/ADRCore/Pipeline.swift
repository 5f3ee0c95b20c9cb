import Dispatch

/// The stages, in order: load → parse → link. (Render and write live in the site module.)
public enum Pipeline {
    public struct Options: Sendable {
        public var load = Loader.Options()
        public var link = Linker.Options()
        public init() {}
    }

    /// Reads an ADR directory into a linked decision log.
    public static func decisionLog(_ directory: String, options: Options = Options()) -> DecisionLog {
        let loaded = Loader.load(directory, options: options.load)
        let outcomes = parse(loaded.sources)
        var parsed: [ParsedDecision] = []
        var withDiagnostics = loaded
        for outcome in outcomes {
            if let d = outcome.decision {
                parsed.append(d)
            } else {
                withDiagnostics.diagnostics += outcome.diagnostics
            }
        }
        return Linker.link(parsed, loaded: withDiagnostics, options: options.link)
    }

    /// Parses files on all cores; the result is in input order.
    public static func parse(_ sources: [SourceFile]) -> [ADRParser.Outcome] {
        let results = ResultSlots<ADRParser.Outcome>(count: sources.count)
        DispatchQueue.concurrentPerform(iterations: sources.count) { i in
            results.set(i, ADRParser.parse(sources[i]))
        }
        return results.values
    }
}

/// Slots written once each from concurrent iterations, read after they all finished.
final class ResultSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func set(_ i: Int, _ value: T) { slots[i] = value }
    var values: [T] { slots.map { $0! } }
}
