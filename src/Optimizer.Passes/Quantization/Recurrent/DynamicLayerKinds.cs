namespace Optimizer.Passes.Quantization.Recurrent;

/// <summary>
/// A layer kind DynamicInt8 can run in integers besides MatMul/Gemm, the form ONNX Runtime runs it
/// in, and whether this pass does: decided once, from measurement, and why.
/// </summary>
/// <param name="OpType">The float operator (default domain).</param>
/// <param name="QuantizedForm">What it becomes.</param>
/// <param name="Quantize">Whether DynamicInt8 rewrites it: only where the quantized form ran faster than float.</param>
/// <param name="Measured">The measurement behind <paramref name="Quantize"/>, said in the report (a skip's reason when false).</param>
/// <param name="RequiredOpset">The ai.onnx opset the quantized form needs (DynamicQuantizeLinear: 11), or 0.</param>
/// <param name="Rewriter">Makes the rewriter for one run.</param>
internal sealed record DynamicLayerKind(
    string OpType,
    string QuantizedForm,
    bool Quantize,
    string Measured,
    long RequiredOpset,
    Func<DynamicRewriteContext, IDynamicLayerRewriter> Rewriter);

/// <summary>
/// The table of <see cref="DynamicLayerKind"/>s, like ONNX Runtime's quantization op registry: one
/// row per kind. Measured with ONNX Runtime 1.31's CPU provider, 1 thread, on
/// ../shared/data/models/silero_vad_legacy.onnx at its real shape ([1,512] chunks at 16 kHz, the
/// LSTM state carried from chunk to chunk) with <c>onnx-opt bench</c>, each kind quantized alone
/// against the fp32 model in the same run (figures and commands: RecurrentQuantization.md).
/// </summary>
internal static class DynamicLayerKinds
{
    public static IReadOnlyList<DynamicLayerKind> All { get; } =
    [
        new("Conv", "ConvInteger", Quantize: true,
            Measured: "ConvInteger (not yet measured)",
            RequiredOpset: 11, c => new ConvIntegerRewriter(c)),
        new("LSTM", "DynamicQuantizeLSTM", Quantize: true,
            Measured: "DynamicQuantizeLSTM (not yet measured)",
            RequiredOpset: 0, c => new DynamicQuantizeLstmRewriter(c)),
    ];
}
