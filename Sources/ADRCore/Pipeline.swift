import Foundation
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
        var timings = Timings()
        return decisionLog(directory, options: options, timings: &timings)
    }

    /// The same, recording how long each stage took.
    public static func decisionLog(_ directory: String, options: Options, timings: inout Timings) -> DecisionLog {
        var clock = timings.start()
        var loaded = Loader.load(directory, options: options.load)
        timings.lap("load", &clock)
        let outcomes = parse(loaded.sources)
        timings.lap("parse", &clock)
        // The bytes are parsed: let them go (38 MB for a 10,000-record log).
        for i in loaded.sources.indices { loaded.sources[i].bytes = [] }
        defer { timings.lap("link", &clock) }
        return link(loaded: loaded, outcomes: outcomes, options: options.link)
    }

    /// The link stage over parse outcomes (some perhaps kept from an earlier build).
    public static func link(loaded: LoadedDirectory, outcomes: [ADRParser.Outcome], options: Linker.Options) -> DecisionLog {
        var parsed: [ParsedDecision] = []
        var withDiagnostics = loaded
        for outcome in outcomes {
            if let d = outcome.decision {
                parsed.append(d)
            } else {
                withDiagnostics.diagnostics += outcome.diagnostics
            }
        }
        return Linker.link(parsed, loaded: withDiagnostics, options: options)
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

/// Wall-clock time of each stage, for `build --timings` and the benchmark.
public struct Timings: Sendable {
    public private(set) var stages: [(name: String, duration: Duration)] = []
    public init() {}

    public func start() -> ContinuousClock.Instant { ContinuousClock.now }

    public mutating func lap(_ name: String, _ since: inout ContinuousClock.Instant) {
        let now = ContinuousClock.now
        stages.append((name, now - since))
        since = now
    }

    /// `load 12.3 ms · parse 45.6 ms · …`
    public var summary: String {
        stages.map { stage in
            let ms = Double(stage.duration.components.seconds) * 1000
                + Double(stage.duration.components.attoseconds) / 1e15
            return "\(stage.name) \(String(format: "%.1f", ms)) ms"
        }.joined(separator: " · ")
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
