import Logging

extension Logger {
    /// A store step whose failure the caller cannot act on but must not hide: the
    /// error is logged with what was being done and what happens instead, and nil
    /// comes back. (Failures that change what the user is told are thrown instead.)
    @discardableResult
    public func noting<T>(_ what: String, otherwise: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            warning("could not \(what): \(error); \(otherwise)")
            return nil
        }
    }
}
