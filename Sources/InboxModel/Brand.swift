/// A brand: the tenant. Its users talk with its partners; nothing crosses from one brand to another.
public struct Brand: Hashable, Codable, Sendable {
    public var id: BrandID
    public var name: String

    public init(id: BrandID, name: String) {
        self.id = id
        self.name = name
    }
}
