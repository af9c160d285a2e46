/// The three kinds of conversation an inbox holds.
public enum ConversationKind: String, CaseIterable, Codable, Sendable {
    /// Between the brand and a partner, started by either side.
    case direct
    /// Written by the platform when something happens to a partnership. Read-only.
    case system
    /// A question a customer asked on a partner's storefront, forwarded by the partner.
    case inquiry
}

/// The original customer message that a partner forwards in a Customer Inquiry.
public struct CustomerInquiry: Hashable, Codable, Sendable {
    public var customerName: String
    public var customerEmail: String
    public var storefront: String
    public var product: String
    public var text: String
    /// When the customer asked, in milliseconds since the Unix epoch.
    public var askedAt: UInt64

    public init(customerName: String, customerEmail: String, storefront: String, product: String, text: String,
                askedAt: UInt64) {
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.storefront = storefront
        self.product = product
        self.text = text
        self.askedAt = askedAt
    }

    /// The subject every Customer Inquiry thread carries.
    public static let subject = "Customer Inquiry"
}
