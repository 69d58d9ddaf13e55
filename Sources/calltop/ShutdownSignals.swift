import Foundation
import Synchronization

/// SIGTERM and SIGINT as events, for long-running commands that drain their
/// work before exiting (`serve`; a worker the same way). A second signal
/// while draining exits at once.
final class ShutdownSignals: @unchecked Sendable {  // `sources` is written only in init
    private var sources: [DispatchSourceSignal] = []
    private let received: AsyncStream<Int32>
    private let count = Mutex(0)

    init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        received = stream
        for number in signals {
            signal(number, SIG_IGN)  // the dispatch source sees it instead of the default action
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let seen = self.count.withLock { $0 += 1; return $0 }
                if seen > 1 {
                    FileHandle.standardError.write(Data("calltop: second \(Self.name(number)): exiting without waiting\n".utf8))
                    exit(128 + number)
                }
                continuation.yield(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal (nil if the task is cancelled first).
    func next() async -> Int32? {
        for await number in received { return number }
        return nil
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }
}
