import ADRCore
import Foundation

/// The theme, loaded on a thread of its own while the log is loaded and parsed: the two need
/// nothing from each other, and compiling the templates (swift-mustache's reference parse, our
/// compiled form, the checks) was a third of the build of a 77-decision log when it ran first
/// (site/0026).
///
/// The thread has the stack of a main thread (8 MB): the template parsers recurse once per level
/// of nesting (at most `TemplateChecks.maxNesting`).
final class ThemeLoad: @unchecked Sendable {
    typealias Loaded = (theme: Result<Theme, Error>, wall: Duration, cpu: Duration)
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var loaded: Loaded?

    /// Starts loading the default theme with `overrides` laid over it.
    init(overrides: [String]) {
        let thread = Thread { [self] in
            let start = ContinuousClock.now, startCPU = Timings.cpuTime(CLOCK_THREAD_CPUTIME_ID)
            let theme = Result { try Theme.load(overrides: overrides) }
            let result: Loaded = (theme, ContinuousClock.now - start, Timings.cpuTime(CLOCK_THREAD_CPUTIME_ID) - startCPU)
            lock.withLock { loaded = result }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The theme (or why it could not be loaded), and how long loading took, once it is done.
    /// Called once.
    func wait() -> Loaded {
        done.wait()
        return lock.withLock { loaded! }
    }
}
