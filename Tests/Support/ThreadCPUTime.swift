import Foundation

/// Milliseconds of CPU the calling thread spent in `body`. Bounds on pure
/// work (an update and a render) use it instead of wall time: on a loaded
/// CI machine wall time also counts the moments the thread was not running
/// (a 150-row frame once measured 530 ms that way).
public func threadCPUMilliseconds(_ body: () throws -> Void) rethrows -> Double {
    func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
    }
    let start = now()
    try body()
    return now() - start
}
