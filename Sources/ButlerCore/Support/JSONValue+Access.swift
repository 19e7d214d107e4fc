/// Read access to `JSONValue`s: the Engine's JSON-RPC messages and app-dump objects are read field by field.
extension JSONValue {
    /// The member `key` of an object; nil for a missing key or a value that isn't an object. Setting it
    /// on an object sets (or with nil removes) the member; on other values it does nothing.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let fields) = self { return fields[key] }
            return nil
        }
        set {
            if case .object(var fields) = self {
                fields[key] = newValue
                self = .object(fields)
            }
        }
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number that is a whole number, as `Int`.
    public var intValue: Int? {
        if case .number(let number) = self, number.rounded() == number, abs(number) < 9e15 { return Int(number) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }
}
