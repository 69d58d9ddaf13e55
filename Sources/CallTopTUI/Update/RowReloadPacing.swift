/// How soon the list loads again when the store kept changing during a load
/// (a backlog draining: a change per download). Loading back to back would keep
/// a core busy reading rows that the downloads need, so the next load waits a
/// quarter of a second, or three times as long as the last one took: the list
/// then costs at most a quarter of one core, and stays within a second or two
/// of the store even at 100,000 calls.
public enum RowReloadPacing {
    public static let minimumGap = 0.25
    public static let loadShare = 0.25

    /// Seconds to wait, after a load that took `seconds`, before the next.
    public static func gap(afterLoadTaking seconds: Double) -> Double {
        max(minimumGap, seconds * (1 - loadShare) / loadShare)
    }
}
