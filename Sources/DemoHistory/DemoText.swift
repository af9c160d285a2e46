/// The words the demo inbox is written with: varied, readable, and searchable.
enum DemoText {
    static let partnerNames = [
        "Juniper & Oak", "Bright Trail Outdoors", "Mira Chen Studio", "Copperleaf Home", "Northside Cycling Club",
        "Luna Ceramics", "Alpine Gear Review", "The Daily Forager", "Saltwater Supply", "Greenline Running",
        "Harbor Kids Books", "Velvet Fern Boutique", "Summit Coffee Roasters", "Pixel & Pine Games", "Rosa Delgado",
        "Tidewater Paddle Co", "Maple Street Makers", "Ember Kitchenware", "Quiet Hours Yoga", "Fieldnote Travel",
    ]
    static let nameWords = ["Cedar", "Willow", "Granite", "Meadow", "Harbor", "Falcon", "Birch", "Coral", "Aspen", "Indigo",
                            "Sable", "Linden", "Marigold", "Orchard", "Prairie", "Quartz", "Raven", "Sierra", "Thistle", "Umber"]
    static let nameKinds = ["Studio", "Outfitters", "Collective", "Supply", "Workshop", "Goods", "Trading", "Journal",
                            "Co", "House"]
    static let products = [
        "Trailblazer 40L backpack", "Ridge insulated jacket", "Canyon water filter", "Summit trekking poles",
        "Driftwood camp chair", "Aurora headlamp", "Basecamp 2-person tent", "Meridian merino hoodie",
        "Glacier sleeping bag", "Pathfinder trail shoes", "Ember camp stove", "Cascade rain shell",
    ]
    static let customerFirst = ["Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Lucas", "Yuki", "Amara",
                                "Jonas", "Priya", "Elena", "Kofi", "Hana", "Diego"]
    static let customerLast = ["Johnson", "Silva", "Nguyen", "Okafor", "Schmidt", "Rossi", "Kowalski", "Haddad",
                               "Tanaka", "Larsen", "Moreau", "Patel"]
    static let directSubjects = [
        "Spring collection proposal", "Samples for the {product}", "Affiliate rates for next quarter",
        "Photo shoot schedule", "Question about shipping times", "Co-branded giveaway idea", "Review of the {product}",
        "Holiday campaign timeline", "Updated media kit", "Restock dates for the {product}", "Invoice for March posts",
        "Trade show meetup", "Discount code for followers", "Feedback on the new packaging", "Video tutorial plans",
    ]
    static let partnerLines = [
        "Thanks for getting back to me so quickly.",
        "We just wrapped the shoot and the {product} looked fantastic on camera.",
        "Could you confirm the commission rate for orders placed through our storefront?",
        "Our audience has been asking about the {product} all week, so the timing is perfect.",
        "I attached the draft caption; let me know if the brand voice feels right to you.",
        "The samples arrived on Tuesday, but one box was damaged in transit.",
        "We would love to feature the {product} in our weekend newsletter, which goes to about 18,000 readers.",
        "Is there any flexibility on the deadline? We are travelling until the 14th.",
        "Last month's posts drove 240 clicks and 31 orders according to our dashboard.",
        "Happy to jump on a call Thursday afternoon if that works for your team.",
        "Could you send high resolution product photos for the listing?",
        "We noticed the discount code expired a day early; a few followers wrote to us about it.",
    ]
    static let brandLines = [
        "Great to hear from you!",
        "I checked with our logistics team and the replacement {product} ships tomorrow.",
        "The commission stays at 12 percent for this quarter, with a bonus above 50 orders.",
        "Thursday at 3 pm works for us; I will send an invite with a video link.",
        "The caption reads well. Could you mention the lifetime warranty as well?",
        "We extended the discount code through Sunday, so followers can still use it.",
        "Thanks for the numbers, that is a strong month. Let's plan the next campaign together.",
        "I will ask the design team for the high resolution photos and share a folder link today.",
        "No problem on the deadline, the 21st is fine for us.",
        "Sorry about the damaged box. We will cover the shipping for the replacement.",
        "We are preparing the autumn catalogue and would love your feedback on two new colours.",
        "Please send the invoice to our accounts team and mention the campaign name.",
    ]
    static let inquiryNotes = [
        "Forwarding a question from one of our customers, could you help?",
        "A customer asked this on our storefront and I am not sure about the answer.",
        "Got this question overnight. Can your support team take a look?",
        "This customer is waiting on a reply before ordering, forwarding it to you.",
    ]
    static let customerQuestions = [
        "Hi, does the {product} come with a warranty, and how long does it last?",
        "I ordered the {product} ten days ago and it still has not shipped. Can you check my order?",
        "Is the {product} suitable for winter camping above 2,000 metres?",
        "Can I return the {product} if it does not fit? I bought it as a gift.",
        "What are the exact dimensions of the {product} when packed?",
        "Do you ship the {product} to Norway, and how much is customs?",
    ]
    static let systemEvents: [(subject: String, body: String)] = [
        ("Partner left the platform", "{partner} has left the platform. Open proposals were closed and replies can no longer be delivered."),
        ("Product updated: {product}", "The listing for the {product} changed: new price and updated size chart. Partners promoting it were notified."),
        ("Proposal accepted", "{partner} accepted your proposal for the {product} campaign. The contract starts on the first of next month."),
        ("New order notification", "Order #{number} for the {product} came in through {partner}'s storefront. Commission will be credited after the return window."),
        ("Proposal activity", "{partner} viewed your proposal and asked for a revised timeline."),
    ]
    static let draftTexts = [
        "Hi! Following up on our call, here are the next steps for the campaign:",
        "Thanks for flagging this. I talked to the warehouse and",
        "Quick question before we sign: could the launch move to",
    ]

    static func fill(_ template: String, product: String, partner: String, number: Int) -> String {
        template.replacingOccurrences(of: "{product}", with: product)
            .replacingOccurrences(of: "{partner}", with: partner)
            .replacingOccurrences(of: "{number}", with: String(number))
    }
}
