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

    /// <summary>The concrete method <paramref name="settings"/> asks for on <paramref name="graph"/>.</summary>
    public static CalibrationSettings Resolve(CalibrationSettings settings, OnnxGraph graph) =>
        settings.Method != CalibrationMethod.Auto ? settings
            : settings with { Method = HasAttention(graph) ? CalibrationMethod.MinMax : CalibrationMethod.Entropy };
}
