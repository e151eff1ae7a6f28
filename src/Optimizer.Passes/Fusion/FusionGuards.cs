using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>Checks shared by the fusions: constant float inputs and single-reader values.</summary>
internal static class FusionGuards
{
    /// <summary>The float32 initializer <paramref name="name"/> when it is constant (not overridable as an input), else null.</summary>
    public static OnnxTensor? ConstantFloat(OnnxModel model, string name) =>
        name.Length > 0 && model.Graph.FindInitializer(name) is { ElementType: TensorElementType.Float } t && Initializers.IsConstant(model, name) ? t : null;

    /// <summary>Null when only <paramref name="reader"/> reads <paramref name="value"/>; else who else does.</summary>
    public static string? OtherReaders(GraphUsage usage, string value, OnnxNode reader)
    {
        if (usage.GraphOutputs.Contains(value)) return $"{value} is also a graph output";
        if (usage.SubgraphReads.Contains(value)) return $"a subgraph also reads {value}";
        var others = usage.ConsumersOf(value).Where(n => n != reader).ToArray();
        return others.Length > 0 ? $"{value} is also read by {CleanupLog.NameOf(others[0])} ({others[0].OpType})" : null;
    }
}
