import Foundation

/// The stages of ADRCore, in order: load → parse → link, with plain values between them. (Render
/// and write live in ADRSite; `SiteBuild` runs all five.)
public enum Pipeline {
    public struct Options: Sendable {
        public var load = Loader.Options()
        public var parse = ADRParser.Options()
        public var link = Linker.Options()
        public init() {}
    }

    /// What parsing each file gave, by path: the preview server keeps it between builds and
    /// parses again only the files that changed.
    public struct ParseCache: Sendable {
        public struct Entry: Sendable {
            public var stamp: FileStamp
            public var hash: Int
            public var outcome: ADRParser.Outcome
        }
        public var entries: [String: Entry] = [:]
        public init() {}
    }

    /// What the three stages found.
    public struct Output: Sendable {
        public var log: DecisionLog
        /// The cache for the next run (empty after a run without one).
        public var cache: ParseCache
        /// The files parsed in this run (the others were parsed before and had not changed).
        public var parsed: Set<String>
        /// The files that were parsed in the last run and are gone.
        public var removed: Set<String>
        /// The attachments of the directory (a change to them changes the site).
        public var assets: [String]
    }

    /// Reads an ADR directory into a linked decision log.
    public static func decisionLog(_ directory: String, options: Options = Options()) -> DecisionLog {
        var timings = Timings()
        return run(directory, options: options, timings: &timings).log
    }

    /// Load → parse → link. With `cache`, files whose stamp and content are those of the last
    /// run are not parsed again, and the output's cache is the one for the next run; without
    /// it, the output's cache is empty.
    public static func run(_ directory: String, options: Options, cache: ParseCache? = nil,
                           timings: inout Timings) -> Output {
        var clock = timings.start()
        var loadOptions = options.load
        if let cache {
            // A file changed twice within the clock's granularity keeps its stamp, so files
            // touched in the last two seconds are read again and compared by content (as git does).
            let known = cache.entries.mapValues(\.stamp)
            let recent = Int64(Date().timeIntervalSince1970) - 2
            loadOptions.unchanged = { path, stamp in known[path] == stamp && stamp.modified < recent }
        }
        var loaded = Loader.load(directory, options: loadOptions)
        timings.lap("load", &clock)

        // Parse what is new; keep the rest.
        var next = ParseCache()
        var fresh: [SourceFile] = []
        var hashes: [Int] = []
        for source in loaded.sources {
            if source.reused {
                if let known = cache?.entries[source.path] { next.entries[source.path] = known }
                continue
            }
            var hash = 0
            if cache != nil {
                var h = Hasher()
                h.combine(source.bytes)
                hash = h.finalize()
                if let known = cache?.entries[source.path], known.hash == hash, let stamp = source.stamp {
                    next.entries[source.path] = ParseCache.Entry(stamp: stamp, hash: hash, outcome: known.outcome)
                    continue
                }
            }
            fresh.append(source)
            hashes.append(hash)
        }
        let outcomes = parse(fresh, options: options.parse)
        let readmeTitle = loaded.readme.flatMap(ADRParser.readmeTitle)
        timings.lap("parse", &clock)
        // The bytes are parsed: let them go (38 MB for a 10,000-record log).
        for i in loaded.sources.indices { loaded.sources[i].bytes = [] }

        var decisions: [ParsedDecision] = []
        decisions.reserveCapacity(loaded.sources.count)
        func take(_ outcome: ADRParser.Outcome) {
            if let d = outcome.decision {
                decisions.append(d)
            } else {
                loaded.diagnostics += outcome.diagnostics
            }
        }
        if cache == nil {
            // No later run will reuse this one's results (a run without a cache is not followed by
            // one with it): every file was parsed now, in the order of the sources, and no cache
            // is made.
            for outcome in outcomes { take(outcome) }
        } else {
            for (k, source) in fresh.enumerated() {
                next.entries[source.path] = ParseCache.Entry(stamp: source.stamp ?? FileStamp(), hash: hashes[k],
                                                             outcome: outcomes[k])
            }
            for source in loaded.sources {
                if let outcome = next.entries[source.path]?.outcome { take(outcome) }
            }
        }
        let linked = Linker.link(decisions, loaded: loaded, readmeTitle: readmeTitle, options: options.link)
        let missing = Checks.missingFiles(linked.fileChecks, existing: Loader.existing(Set(linked.fileChecks.map(\.path))))
        timings.lap("link", &clock)
        let removed = Set(cache?.entries.keys.map { $0 } ?? []).subtracting(next.entries.keys)
        return Output(log: linked.log.adding(missing), cache: next, parsed: Set(fresh.map(\.path)), removed: removed,
                      assets: loaded.assets)
    }

    /// Parses files on all cores; the result is in input order.
    public static func parse(_ sources: [SourceFile], options: ADRParser.Options = ADRParser.Options()) -> [ADRParser.Outcome] {
        Parallel.each(sources.count) { ADRParser.parse(sources[$0], options: options) }
    }
}

/// Wall-clock and CPU time of each stage, for `build --timings` and the benchmark. CPU time is
/// the whole process's (all cores): CPU over wall says how well a stage used the cores.
public struct Timings: Sendable {
    public struct Mark: Sendable {
        var wall: ContinuousClock.Instant
        var cpu: Duration
    }
    public private(set) var stages: [(name: String, duration: Duration, cpu: Duration)] = []
    public init() {}

    public func start() -> Mark { Mark(wall: ContinuousClock.now, cpu: Self.cpuTime(CLOCK_PROCESS_CPUTIME_ID)) }

    public mutating func lap(_ name: String, _ since: inout Mark) {
        let now = start()
        stages.append((name, now.wall - since.wall, now.cpu - since.cpu))
        since = now
    }

    /// A stage timed on its own (one that ran beside the others).
    public mutating func add(_ name: String, wall: Duration, cpu: Duration) {
        stages.append((name, wall, cpu))
    }

    /// `load 12.3 ms (cpu 20.1) · parse 45.6 ms (cpu 88.0) · …`
    public var summary: String {
        func ms(_ d: Duration) -> String {
            String(format: "%.1f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        return stages.map { "\($0.name) \(ms($0.duration)) ms (cpu \(ms($0.cpu)))" }.joined(separator: " · ")
    }

    /// CPU time used so far by the process (`CLOCK_PROCESS_CPUTIME_ID`) or the calling thread
    /// (`CLOCK_THREAD_CPUTIME_ID`).
    public static func cpuTime(_ clock: clockid_t) -> Duration {
        var t = timespec()
        clock_gettime(clock, &t)
        return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
    }
}
