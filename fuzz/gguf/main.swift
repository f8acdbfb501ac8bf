// libFuzzer harness for the GGUF reader: any bytes given to `GGUFFile.parse` must give a parsed
// file or a GGUFError, never a crash, a hang or a huge allocation. A file that parses is also
// walked (every accessor the loaders use) and its metadata written back with GGUFWriter: the
// rewrite must parse again and be stable (writing it a second time gives the same bytes).
//
// Built by scripts/fuzz together with Sources/GGUF/*.swift (module GGUF, so internals are
// reachable); run `scripts/fuzz gguf 60`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let file = try? GGUFFile.parse(bytes) {
        exercise(file, bytes: bytes)
    }
    // The bundle path: the header alone, tensor ranges checked against a separate length.
    if size >= 8 {
        let claimed = Int(bytes.load(fromByteOffset: size - 8, as: UInt32.self))
        _ = try? GGUFFile.parse(UnsafeRawBufferPointer(rebasing: bytes[0..<(size - 8)]), tensorDataLength: claimed)
    }
    return 0
}

/// Reads everything a loader might read, and checks the metadata round trip.
private func exercise(_ file: GGUFFile, bytes: UnsafeRawBufferPointer) {
    precondition(file.dataOffset >= file.headerEnd, "data region starts inside the header")
    // A file without tensors may end before its (empty) data region; the callers check this.
    precondition(file.dataOffset <= bytes.count || file.tensors.isEmpty, "tensors listed but the data region starts past the end")
    var sink = 0
    for entry in file.metadata {
        let value = entry.value
        sink &+= value.description.utf8.count
        sink &+= value.int ?? 0
        sink &+= value.string?.utf8.count ?? 0
        if let array = file.array(entry.key) {
            sink &+= array.count
            sink &+= array.strings?.count ?? 0
            sink &+= array.floats?.count ?? 0
            sink &+= array.int32s?.count ?? 0
            sink &+= array.ints?.count ?? 0
            if let strings = array.strings, strings.count > 0 {
                sink &+= strings[0].utf8.count &+ strings[strings.count - 1].utf8.count
            }
        }
    }
    _ = file.architecture
    let tensorData = UnsafeRawBufferPointer(rebasing: bytes[min(file.dataOffset, bytes.count)...])
    for tensor in file.tensors {
        precondition(file.tensor(named: tensor.name) != nil, "tensor lookup by name failed")
        precondition(tensor.offset >= 0 && tensor.offset + tensor.byteCount <= tensorData.count, "tensor outside the data")
        sink &+= file.data(of: tensor, in: tensorData).count
    }
    _ = sink

    // Metadata round trip: parse(write(m)) keeps every entry; writing it again is stable.
    var writer = GGUFWriter(alignment: file.alignment & (file.alignment - 1) == 0 ? file.alignment : 32)
    for entry in file.metadata { writer.add(entry) }
    let first = writer.serialize()
    let reparsed: GGUFFile
    do { reparsed = try GGUFFile.parse(first) } catch { preconditionFailure("rewritten metadata does not parse: \(error)") }
    precondition(reparsed.metadata.map(\.key) == file.metadata.map(\.key), "keys changed in the round trip")
    var again = GGUFWriter(alignment: writer.alignment)
    for entry in reparsed.metadata { again.add(entry) }
    precondition(again.serialize() == first, "metadata round trip is not stable")
}
