import S3EmulatorCore

/// What a target made of one input.
public enum FuzzOutcome: Sendable, Equatable {
    /// The parsers accepted the input.
    case accepted
    /// A parser refused the input with the error a client would get.
    case refused
    /// A bug: an error of the wrong type, or an invariant that did not hold.
    case unexpected(String)
}

extension FuzzOutcome {
    /// `.accepted` after `body` returns, `.refused` when it throws an `S3Error`, `.unexpected`
    /// for an ``InvariantViolation`` or any other error.
    static func of(_ body: () throws -> Void) -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch is S3Error {
            return .refused
        } catch let violation as InvariantViolation {
            return .unexpected(violation.message)
        } catch {
            return .unexpected("not an S3Error: \(type(of: error)): \(error)")
        }
    }
}

/// A property every answer must have, found broken (a bug, reported as a crash).
struct InvariantViolation: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Throws an ``InvariantViolation`` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantViolation) {
    if !condition { throw InvariantViolation(message()) }
}
