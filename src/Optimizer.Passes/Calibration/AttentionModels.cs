using Optimizer.Onnx;

namespace Optimizer.Passes.Calibration;

/// <summary>Recognizes attention (transformer) models, whose calibration default differs (CalibrationMethod.Auto).</summary>
internal static class AttentionModels
{
    /// <summary>How many elementwise steps (scale, mask Add) may sit between the scores' MatMul and the Softmax.</summary>
    private const int MaxStepsBack = 3;

    /// <summary>Whether some Softmax normalizes the product of two run-time values (attention scores).</summary>
    public static bool HasAttention(OnnxGraph graph) =>
        graph.Nodes.Any(n => n is { IsDefaultDomain: true, OpType: "Softmax" } && ReadsActivationProduct(graph, n.Inputs[0], MaxStepsBack));

    private static bool ReadsActivationProduct(OnnxGraph graph, string value, int steps) => graph.FindProducer(value) switch
    {
        { OpType: "MatMul", Inputs: [var a, var b] } => graph.FindConstant(a) is null && graph.FindConstant(b) is null,
        { OpType: "Add" or "Sub" or "Mul" or "Div" or "Where" or "Cast" } step when steps > 0 =>
            step.Inputs.Any(i => i.Length > 0 && ReadsActivationProduct(graph, i, steps - 1)),
        _ => false,
    };

    /// <summary>
    /// Why static INT8 of an attention model quantizes only its weighted layers' inputs, or null for
    /// other models. Measured on arctic_embed_xs (MinMax, 64 calibration sentences, 24 validation
    /// ones): every QDQ rule (residual Adds, LayerNorm, Softmax and GELU arithmetic too) gave a pooled
    /// cosine of 0.985; the MatMul inputs alone 0.996, at 0.29×/0.43× the fp32 latency (16/128
    /// tokens; every rule measured 0.41×/0.48× in an earlier, busier run), ONNX Runtime 1.31, 1 thread.
    /// </summary>
    public static string? WeightedOnlyReason(OnnxGraph graph) => HasAttention(graph)
        ? "attention model: static INT8 quantizes only MatMul/Gemm inputs (quantizing residual, LayerNorm, Softmax and GELU values cost accuracy)"
        : null;

    /// <summary>The concrete method <paramref name="settings"/> asks for on <paramref name="graph"/>.</summary>
    public static CalibrationSettings Resolve(CalibrationSettings settings, OnnxGraph graph) =>
        settings.Method != CalibrationMethod.Auto ? settings
            : settings with { Method = HasAttention(graph) ? CalibrationMethod.MinMax : CalibrationMethod.Entropy };
}
