/// What the dashboard is pointed at, fixed for the whole session: shown in
/// the header and used to refuse changes in read-only mode.
public struct DashboardContext: Sendable, Equatable {
    public var accountSid: String
    /// The API host requests actually go to (region/edge applied), e.g. `api.dublin.ie1.twilio.com`.
    public var apiHost: String
    public var isDemo: Bool
    /// `--readonly`: every key that would change something answers with a message instead.
    public var readonly: Bool
    /// `--refresh`; the dashboard never refreshes more often than every 2 s.
    public var refreshSeconds: Int
    public var transcriptionAvailable: Bool
    /// Shown on the status line when `t` is pressed and transcription is unavailable.
    public var transcriptionUnavailableReason: String?
    /// The account's Twilio region (nil: us1), for links to the Twilio Console.
    public var region: String?
    /// The store's engine, `sqlite` or `postgres`, shown beside the workers in the header.
    public var storeEngine: String
    /// Team mode (`CALLTOP_DATABASE_URL`): workers download and transcribe, so
    /// the dashboard only queues work for them and warns when none is running.
    public var teamMode: Bool

    public init(
        accountSid: String, apiHost: String, isDemo: Bool = false, readonly: Bool = false,
        refreshSeconds: Int = 30, transcriptionAvailable: Bool = false, transcriptionUnavailableReason: String? = nil,
        region: String? = nil, storeEngine: String = "sqlite", teamMode: Bool = false
    ) {
        self.accountSid = accountSid; self.apiHost = apiHost; self.isDemo = isDemo; self.readonly = readonly
        self.refreshSeconds = refreshSeconds; self.transcriptionAvailable = transcriptionAvailable
        self.transcriptionUnavailableReason = transcriptionUnavailableReason
        self.region = region
        self.storeEngine = storeEngine; self.teamMode = teamMode
    }

    public static let minimumRefreshSeconds = 2
}
