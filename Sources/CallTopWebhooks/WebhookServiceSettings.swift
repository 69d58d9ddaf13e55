import CallTopCore
import Foundation

/// How `WebhookService` listens, checks, settles and delivers.
public struct WebhookServiceSettings: Sendable {
    public var host: String
    public var port: Int
    /// The URL Twilio calls, without the `/twilio/…` path: signatures are computed over it.
    public var publicURL: String
    /// The auth token Twilio signs callbacks with.
    public var authToken: String
    /// Bearer token for the voice agent's endpoint; nil disables it.
    public var ingestToken: String?
    /// Where settled transcripts are POSTed; nil turns deliveries (and settling) off.
    public var notifyURL: String?
    /// HMAC-SHA256 key of deliveries; required with `notifyURL`.
    public var notifySecret: String?
    public var window: WaitWindow
    public var suspectThreshold: Double
    public var concurrency: Int
    /// Transcribe downloaded recordings here (false: `serve --no-transcribe`).
    public var transcribe: Bool
    public var limits: ConnectionLimits
    public var refusalSummaryInterval: TimeInterval
    /// On shutdown, seconds running downloads and transcriptions get to finish.
    public var drainTimeout: TimeInterval

    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String, authToken: String, ingestToken: String? = nil,
                notifyURL: String? = nil, notifySecret: String? = nil, window: WaitWindow = WaitWindow(),
                suspectThreshold: Double = TranscriptDisagreement.defaultThreshold, concurrency: Int = 2, transcribe: Bool = true,
                limits: ConnectionLimits = ConnectionLimits(), refusalSummaryInterval: TimeInterval = 60, drainTimeout: TimeInterval = 20) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.authToken = authToken
        self.ingestToken = ingestToken
        self.notifyURL = notifyURL
        self.notifySecret = notifySecret
        self.window = window
        self.suspectThreshold = suspectThreshold
        self.concurrency = concurrency
        self.transcribe = transcribe
        self.limits = limits
        self.refusalSummaryInterval = refusalSummaryInterval
        self.drainTimeout = drainTimeout
    }
}
