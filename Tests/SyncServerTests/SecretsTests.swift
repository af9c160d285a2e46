import Foundation
@testable import SyncServer
import Testing

@Suite("Tokens and enrollment codes")
struct SecretsTests {
    @Test("a token is 43 base64url characters and never starts with `-`, so it can follow --token")
    func tokenShape() {
        // Before the fix one token in 64 started with `-`: 4,000 draws all but surely meet one.
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var tokens = Set<String>()
        for _ in 0..<4_000 {
            let token = Secrets.newToken()
            #expect(token.count == 43)
            #expect(!token.hasPrefix("-"), "\(token)")
            #expect(token.allSatisfy { alphabet.contains($0) }, "\(token)")
            tokens.insert(token)
        }
        #expect(tokens.count == 4_000)
    }
}
