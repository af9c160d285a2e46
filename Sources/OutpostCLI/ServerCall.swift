import SyncClient

/// Runs a request to the server, turning its errors into one-line CLI errors with the server's codes.
func http<T>(_ body: () async throws(ServerHTTPError) -> T) async throws(CLIError) -> T {
    do {
        return try await body()
    } catch {
        throw CLIError(error.message, code: error.code)
    }
}
