import Foundation
import GRDB

/// A row of `calls`.
struct CallRecord: CallTopRecord {
    static let databaseTableName = "calls"
    var sid: String
    var accountSid: String?
    var parentCallSid: String?
    var fromNumber: String
    var toNumber: String
    var direction: String
    var status: String
    var startTime: Date?
    var endTime: Date?
    var dateCreated: Date?
    var durationS: Int?
    var price: String?
    var priceUnit: String?
    var syncedAt: Date
}
