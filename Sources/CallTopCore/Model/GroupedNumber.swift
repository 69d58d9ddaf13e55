/// 1234567 → "1,234,567", whatever the locale: what people read in headers and operators grep in logs.
public func groupedDigits(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, ch != "-", (digits.count - i) % 3 == 0, digits.first != "-" || i > 1 { out.append(",") }
        out.append(ch)
    }
    return out
}
