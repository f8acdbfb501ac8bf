// QuantizationPlan: which ggml type each tensor gets in a quantization mix, by llama.cpp's rules
// (src/llama-quant.cpp: tensor_allows_quantization, llama_tensor_get_type, tensor_type_fallback)
// for the mixes `llmpack build --quant` offers.
//
// In short: only 2-D+ tensors whose names end in "weight" and are not norms are quantized; the
// rest keep their type. The output matrix (and the token embedding when it doubles as the output)
// gets Q6_K unless the mix is Q8_0. In Q4_K_M and Q5_K_M, attn_v and ffn_down get Q6_K in the first
// and last eighth of the layers and in every third layer between. A row length that is not a whole
// number of blocks falls back: Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and to F16 when even
// 32 does not divide it (llama.cpp refuses that case for Q4_0 and Q8_0; llmpack uses F16 too).

import GGUF

/// A quantization mix, named and numbered as llama.cpp's quantize tool names them.
public enum QuantizationMix: String, CaseIterable, Sendable {
    case q8_0
    case q4_0
    case q4_k_m
    case q5_k_m
    case q6_k

    /// The name llama.cpp prints ("Q4_K_M").
    public var name: String { rawValue.uppercased() }

    /// llama.cpp's LLAMA_FTYPE value, written to `general.file_type`.
    public var fileType: UInt32 {
        switch self {
        case .q4_0: 2
        case .q8_0: 7
        case .q4_k_m: 15
        case .q5_k_m: 17
        case .q6_k: 18
        }
    }

    /// The type most weight matrices get.
    public var baseType: GGMLType {
        switch self {
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        case .q4_k_m: .q4_K
        case .q5_k_m: .q5_K
        case .q6_k: .q6_K
        }
    }
}

/// What happens to one tensor.
public struct TensorQuantization: Sendable, Equatable {
    public let name: String
    /// Dimensions, ne0 first.
    public let dims: [Int]
    public let sourceType: GGMLType
    /// The type it is written in (equal to `sourceType`: copied as it is).
    public let type: GGMLType
    /// The type the mix asked for, when the row length forced `type` instead.
    public let wanted: GGMLType?

    /// Whether the tensor's data is converted (not copied).
    public var isConverted: Bool { type != sourceType }
    /// Whether quantized data is dequantized and quantized again (a loss on top of the first).
    public var isRequantized: Bool { isConverted && sourceType.isQuantized }
}

/// Chooses tensor types for a mix.
public enum QuantizationPlan {
    /// The type of every tensor of `gguf` (in file order) under `mix`.
    public static func make(_ gguf: GGUFFile, mix: QuantizationMix) -> [TensorQuantization] {
        var state = State(gguf: gguf)
        // llama.cpp visits tensors ordered by block number, then by name; its per-kind counters
        // (the i-th attn_v, the i-th ffn_down) follow that order.
        let order = gguf.tensors.indices.sorted { a, b in
            let (ta, tb) = (gguf.tensors[a].name, gguf.tensors[b].name)
            let (la, lb) = (layerNumber(ta) ?? -1, layerNumber(tb) ?? -1)
            return la != lb ? la < lb : ta.utf8.lexicographicallyPrecedes(tb.utf8)
        }
        var plans = [TensorQuantization?](repeating: nil, count: gguf.tensors.count)
        for index in order {
            let tensor = gguf.tensors[index]
            guard allowsQuantization(tensor) else {
                plans[index] = TensorQuantization(name: tensor.name, dims: tensor.dims, sourceType: tensor.type, type: tensor.type, wanted: nil)
                continue
            }
            let chosen = state.choose(tensor, mix: mix)
            let fitted = fallback(chosen, rowLength: tensor.dims[0])
            plans[index] = TensorQuantization(name: tensor.name, dims: tensor.dims, sourceType: tensor.type, type: fitted,
                                              wanted: fitted == chosen ? nil : chosen)
        }
        return plans.map { $0! }
    }

    /// Whether llama.cpp quantizes this tensor at all: matrices (2-D or more) named "...weight",
    /// except norms and a few small or special tensors of other architectures.
    public static func allowsQuantization(_ tensor: GGUFTensorInfo) -> Bool {
        let significantDims = (tensor.dims.lastIndex { $0 > 1 } ?? 0) + 1
        guard significantDims >= 2, tensor.name.hasSuffix("weight") else { return false }
        if tensor.name == "position_embd.weight" || tensor.name == "token_types.weight" { return false }
        return !excludedNameParts.contains { tensor.name.contains($0) }
    }

    private static let excludedNameParts = [
        "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
        "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
        "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
        "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
        "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_",
        ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
    ]

    /// The type to use when `wanted` does not fit rows of `rowLength` values.
    static func fallback(_ wanted: GGMLType, rowLength: Int) -> GGMLType {
        guard rowLength % wanted.blockSize != 0 else { return wanted }
        let next: GGMLType = switch wanted {
        case .q2_K, .q3_K: .q4_0
        case .q4_K: .q5_0
        case .q5_K: .q5_1
        case .q6_K: .q8_0
        default: .f16
        }
        return rowLength % next.blockSize == 0 ? next : .f16
    }

    /// N in a name "blk.N....", as llama.cpp reads it.
    static func layerNumber(_ name: String) -> Int? {
        guard name.hasPrefix("blk.") else { return nil }
        let digits = name.dropFirst(4).prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    /// The kinds of tensor the rules tell apart (llama.cpp's tensor_category).
    enum Category {
        case tokenEmbedding, attentionQ, attentionV, attentionK, attentionQKV, attentionKVB, attentionOutput
        case ffnUp, ffnGate, ffnDown, output, other

        init(_ name: String) {
            self = if name == "output.weight" { .output }
            else if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { .tokenEmbedding }
            else if name.contains("attn_qkv.weight") { .attentionQKV }
            else if name.contains("attn_kv_b.weight") { .attentionKVB }
            else if name.contains("attn_v.weight") { .attentionV }
            else if name.contains("attn_k.weight") { .attentionK }
            else if name.contains("attn_q.weight") { .attentionQ }
            else if name.contains("attn_output.weight") { .attentionOutput }
            else if name.contains("ffn_up") { .ffnUp }
            else if name.contains("ffn_gate") { .ffnGate }
            else if name.contains("ffn_down") { .ffnDown }
            else { .other }
        }

        /// attn_v and the fused tensors that contain it: the most sensitive to quantization.
        var isAttentionVLike: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }
    }

    /// The model facts and running counters the rules use.
    struct State {
        let architecture: String
        let layerCount: Int
        let expertCount: Int
        /// LLaMA-2/3 70B: 80 blocks with grouped-query attention.
        let is70B: Bool
        /// No separate output.weight: the token embedding is the output matrix.
        let tiedEmbeddings: Bool
        let attentionVCount: Int
        var attentionVIndex = 0
        var ffnDownIndex = 0

        init(gguf: GGUFFile) {
            architecture = gguf.architecture ?? ""
            let a = architecture
            let blocks = gguf.int("\(a).block_count")
                ?? Set(gguf.tensors.compactMap { QuantizationPlan.layerNumber($0.name) }).count
            layerCount = blocks
            expertCount = max(1, gguf.int("\(a).expert_count") ?? 1)
            let heads = gguf.int("\(a).attention.head_count"), kvHeads = gguf.int("\(a).attention.head_count_kv")
            is70B = a == "llama" && blocks == 80 && heads != nil && kvHeads != nil && heads != kvHeads
            tiedEmbeddings = !gguf.tensors.contains { $0.name == "output.weight" }
            attentionVCount = gguf.tensors.filter { Category($0.name).isAttentionVLike }.count
        }

        /// llama_tensor_get_type_impl for the mixes llmpack offers.
        mutating func choose(_ tensor: GGUFTensorInfo, mix: QuantizationMix) -> GGMLType {
            var type = mix.baseType
            let category = Category(tensor.name)
            func useMoreBits(_ i: Int, _ n: Int) -> Bool { i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2 }
            func layer(_ counter: Int) -> Int {
                // With experts, tensors of one layer are not consecutive: llama.cpp reads the name.
                expertCount > 1 ? (QuantizationPlan.layerNumber(tensor.name) ?? counter) : counter
            }
            // The output matrix, and the token embedding when it is the output matrix too.
            let isOutput = category == .output || (category == .tokenEmbedding && tiedEmbeddings)
            switch category {
            case _ where isOutput:
                if architecture == "falcon" || tensor.dims[0] % type.blockSize != 0 {
                    type = .q8_0
                } else if type != .q8_0 {
                    type = .q6_K
                }
            case .tokenEmbedding:
                break
            case _ where category.isAttentionVLike:
                if (mix == .q4_k_m || mix == .q5_k_m) && useMoreBits(attentionVIndex, attentionVCount) { type = .q6_K }
                if is70B && (type == .q3_K || type == .q4_K) { type = .q5_K }
                if expertCount == 8 { type = .q8_0 }
                attentionVIndex += 1
            case .attentionK:
                if expertCount == 8 { type = .q8_0 }
            case .ffnDown:
                let i = layer(ffnDownIndex)
                if mix == .q4_k_m {
                    if architecture == "falcon" {
                        type = i < layerCount / 16 ? .q6_K : useMoreBits(i, layerCount) ? .q5_K : .q4_K
                    } else if useMoreBits(i, layerCount) {
                        type = .q6_K
                    }
                } else if mix == .q5_k_m && useMoreBits(i, layerCount) {
                    type = .q6_K
                }
                ffnDownIndex += 1
            case .attentionOutput:
                if architecture != "falcon" && expertCount == 8 && mix == .q4_k_m { type = .q5_K }
            default:
                break
            }
            return type
        }
    }
}
