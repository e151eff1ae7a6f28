namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>
/// A layer kind DynamicInt8 can run in integers besides MatMul/Gemm, the form ONNX Runtime runs it
/// in, and whether this pass does: decided once, from measurement, and why.
/// </summary>
/// <param name="OpType">The float operator (default domain).</param>
/// <param name="QuantizedForm">What it becomes.</param>
/// <param name="Quantize">Whether DynamicInt8 rewrites it: only where the quantized form ran faster than float (the engine's speed check still judges each model).</param>
/// <param name="Measured">The measurement behind <paramref name="Quantize"/>, said in the report (a skip's reason when false).</param>
/// <param name="RequiredOpset">The ai.onnx opset the quantized form needs (DynamicQuantizeLinear: 11), or 0.</param>
/// <param name="Domain">The operator set the quantized form belongs to, imported (version 1) when missing; null for ai.onnx.</param>
/// <param name="Rewriter">Makes the rewriter for one run.</param>
internal sealed record DynamicLayerKind(
    string OpType,
    string QuantizedForm,
    bool Quantize,
    string Measured,
    long RequiredOpset,
    string? Domain,
    Func<DynamicRewriteContext, IDynamicLayerRewriter> Rewriter);

/// <summary>
/// The table of <see cref="DynamicLayerKind"/>s, like ONNX Runtime's quantization op registry: one
/// row per kind. Measured with ONNX Runtime 1.31's CPU provider, 1 thread, on
/// ../shared/data/models/silero_vad_legacy.onnx at its real shape ([1,512] chunks at 16 kHz, the
/// LSTM state carried from chunk to chunk) with <c>onnx-opt bench</c>, each kind quantized alone
/// against the fp32 model in the same run (interleaved rounds), on a 2-core AMD EPYC (Zen 5,
/// AVX-512 VNNI); lone Conv and LSTM models of other sizes the same way. Re-measure with
/// ForcedLayerKinds (tests) when ONNX Runtime changes.
/// </summary>
internal static class DynamicLayerKinds
{
    public static IReadOnlyList<DynamicLayerKind> All { get; } =
    [
        // silero at [1,512]: fp32 p50 0.098–0.111 ms, Conv quantized 0.206–0.227 ms (2.0–2.1×, 4 runs);
        // a 64-channel 3×3 Conv over 56×56: 1.26 ms → 10.7 ms (8.5×). ORT runs ConvInteger as
        // im2col + an integer GEMM per group, with no fused kernel; its float Conv is far faster.
        new("Conv", "ConvInteger", Quantize: false,
            Measured: "ConvInteger runs 2.1× slower than float Conv on ONNX Runtime's CPU provider (measured on silero_vad at [1,512]; 8.5× on a 64-channel 3×3 Conv)",
            RequiredOpset: 11, Domain: null, c => new ConvIntegerRewriter(c)),
        // A lone LSTM, 1 batch: hidden 64 × 100 steps 0.098 → 0.066 ms (0.67×), hidden 96 × 16 0.61×,
        // hidden 128 × 16 0.54×, hidden 256 × 100 0.36×. silero's LSTMs run 4 steps a call, too few to
        // gain: the whole model's p50 moves 0.96–1.03× (9 runs), within noise, and its file shrinks 42%.
        new("LSTM", "DynamicQuantizeLSTM", Quantize: true,
            Measured: "DynamicQuantizeLSTM runs 1.5–2.8× faster than float LSTM on ONNX Runtime's CPU provider (hidden 64–256, 16–100 steps; silero_vad at [1,512]: unchanged)",
            RequiredOpset: 0, DynamicQuantizeLstmRewriter.Domain, c => new DynamicQuantizeLstmRewriter(c)),
    ];
}
