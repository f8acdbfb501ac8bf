// The date `strftime_now(format)` formats. Templates such as Llama 3.2's print today's date in the
// system prompt; the caller chooses the date, so rendering stays deterministic when it needs to be.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A calendar date and time of day for `strftime_now`.
public struct TemplateDate: Sendable, Equatable {
    public var year: Int
    public var month: Int    // 1...12
    public var day: Int      // 1...31
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The current local date and time.
    public static func now() -> TemplateDate {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return TemplateDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]
    private static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// 0 for Monday ... 6 for Sunday.
    var weekday: Int {
        // Days since 1970-01-01 (a Thursday), by the civil-from-days algorithm in reverse.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * m + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return ((days % 7) + 7 + 3) % 7
    }

    var dayOfYear: Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return lengths.prefix(max(0, min(12, month) - 1)).reduce(0, +) + day
    }

    /// Formats with C strftime's common directives: %Y %y %m %d %e %B %b %A %a %H %I %M %S %p %j %%.
    public func format(_ pattern: String) -> String {
        func pad(_ n: Int, _ width: Int = 2, _ fill: Character = "0") -> String {
            let s = String(n)
            return String(repeating: fill, count: max(0, width - s.count)) + s
        }
        let monthName = Self.monthNames[max(0, min(11, month - 1))]
        let dayName = Self.dayNames[weekday]
        var out = ""
        var iterator = pattern.makeIterator()
        while let c = iterator.next() {
            guard c == "%", let d = iterator.next() else {
                out.append(c)
                continue
            }
            switch d {
            case "Y": out += String(year)
            case "y": out += pad(((year % 100) + 100) % 100)
            case "m": out += pad(month)
            case "d": out += pad(day)
            case "e": out += pad(day, 2, " ")
            case "B": out += monthName
            case "b", "h": out += String(monthName.prefix(3))
            case "A": out += dayName
            case "a": out += String(dayName.prefix(3))
            case "H": out += pad(hour)
            case "I": out += pad(hour % 12 == 0 ? 12 : hour % 12)
            case "M": out += pad(minute)
            case "S": out += pad(second)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += pad(dayOfYear, 3)
            case "%": out += "%"
            default: out += "%" + String(d)
            }
        }
        return out
    }
}
