/// Three-way merge of two concurrent edits of one text against their common ancestor.
///
/// Texts are split into tokens (runs of letters and digits, runs of white space, single other
/// characters). Each side's edits are the ancestor ranges it replaced; edits that do not touch each
/// other are both applied; the same edit made on both sides is applied once. Edits that overlap or
/// touch (including two insertions at one place) are a conflict: `nil`, and the caller keeps both
/// versions side by side. Pure and deterministic.
///
/// ```swift
/// TextMerge.merge(ancestor: "Hi Sam, the box", ours: "Hi Sam, the red box", theirs: "Hello Sam, the box")
/// // "Hello Sam, the red box"
/// ```
public enum TextMerge {
    /// Texts longer than this many tokens on any side are not merged (kept as a conflict), which
    /// bounds the quadratic alignment.
    public static let maxTokens = 4_000

    public static func merge(ancestor: String, ours: String, theirs: String) -> String? {
        if ours == theirs { return ours }
        if ours == ancestor { return theirs }
        if theirs == ancestor { return ours }
        let base = tokens(ancestor), left = tokens(ours), right = tokens(theirs)
        guard base.count <= maxTokens, left.count <= maxTokens, right.count <= maxTokens else { return nil }
        let leftEdits = edits(from: base, to: left)
        let rightEdits = edits(from: base, to: right)
        var merged: [Substring] = []
        var position = 0
        var l = 0, r = 0
        while l < leftEdits.count || r < rightEdits.count {
            let next: Edit
            if l < leftEdits.count, r < rightEdits.count {
                let a = leftEdits[l], b = rightEdits[r]
                if a == b {
                    next = a
                    l += 1
                    r += 1
                } else if a.touches(b) {
                    return nil
                } else if a.start < b.start {
                    next = a
                    l += 1
                } else {
                    next = b
                    r += 1
                }
            } else if l < leftEdits.count {
                next = leftEdits[l]
                l += 1
            } else {
                next = rightEdits[r]
                r += 1
            }
            merged.append(contentsOf: base[position..<next.start])
            merged.append(contentsOf: next.replacement)
            position = next.end
        }
        merged.append(contentsOf: base[position...])
        return merged.joined()
    }

    /// An edit: ancestor tokens `start..<end` replaced by `replacement`.
    struct Edit: Equatable {
        var start: Int
        var end: Int
        var replacement: [Substring]

        /// Overlapping or adjacent ranges, or two insertions at one place: a conflict.
        func touches(_ other: Edit) -> Bool {
            start <= other.end && other.start <= end
        }
    }

    static func tokens(_ text: String) -> [Substring] {
        var result: [Substring] = []
        var index = text.startIndex
        func kind(_ character: Character) -> Int {
            character.isLetter || character.isNumber ? 0 : character.isWhitespace ? 1 : 2
        }
        while index < text.endIndex {
            let current = kind(text[index])
            var next = text.index(after: index)
            if current != 2 {
                while next < text.endIndex && kind(text[next]) == current { next = text.index(after: next) }
            }
            result.append(text[index..<next])
            index = next
        }
        return result
    }

    /// The edits that turn `base` into `other`, from a longest common subsequence alignment.
    static func edits(from base: [Substring], to other: [Substring]) -> [Edit] {
        // Trim the common prefix and suffix first: drafts mostly change in one place.
        var prefix = 0
        while prefix < base.count && prefix < other.count && base[prefix] == other[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < base.count - prefix && suffix < other.count - prefix
            && base[base.count - 1 - suffix] == other[other.count - 1 - suffix] { suffix += 1 }
        let a = Array(base[prefix..<(base.count - suffix)])
        let b = Array(other[prefix..<(other.count - suffix)])
        let n = a.count, m = b.count
        // lcs[i][j] = LCS length of a[i...] and b[j...], in one flat array.
        var lcs = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i * (m + 1) + j] = a[i] == b[j]
                        ? lcs[(i + 1) * (m + 1) + j + 1] + 1
                        : max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1])
                }
            }
        }
        var result: [Edit] = []
        var i = 0, j = 0
        var pending: Edit?
        func flush() {
            if let edit = pending { result.append(edit) }
            pending = nil
        }
        while i < n || j < m {
            if i < n && j < m && a[i] == b[j] {
                flush()
                i += 1
                j += 1
            } else if j < m && (i == n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j]) {
                if pending == nil { pending = Edit(start: prefix + i, end: prefix + i, replacement: []) }
                pending?.replacement.append(b[j])
                j += 1
            } else {
                if pending == nil { pending = Edit(start: prefix + i, end: prefix + i, replacement: []) }
                pending?.end = prefix + i + 1
                i += 1
            }
        }
        flush()
        return result
    }
}
