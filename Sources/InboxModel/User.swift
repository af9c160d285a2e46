/// A member of a brand's staff who reads and answers the inbox.
public struct User: Hashable, Codable, Sendable {
    public var id: UserID
    public var name: String
    public var email: String

    public init(id: UserID, name: String, email: String) {
        self.id = id
        self.name = name
        self.email = email
    }
}
