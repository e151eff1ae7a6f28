using System.Globalization;
using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// Folds an inference BatchNormalization into the Conv before it:
/// W' = W · s and b' = (b − mean) · s + β per output channel, with s = γ / √(var + ε).
/// Only when the BN's four parameters and the Conv's weight and bias are constant float32, the
/// Conv's output feeds nothing but the BN, and the BN is not in training mode.
/// </summary>
internal static class ConvBatchNormFolding
{
    /// <summary>Added to the name of a folded weight or bias another node still reads in its original form.</summary>
    private const string Suffix = "_bn_folded";

    public static void Run(OnnxModel model, UniqueNames names, List<PassChange> changed, List<PassSkip> skipped)
    {
        var graph = model.Graph;
        foreach (var bn in graph.Nodes.Where(n => n is { OpType: "BatchNormalization", IsDefaultDomain: true }).ToArray())
        {
            var usage = new GraphUsage(graph);
            var conv = bn.Inputs.Count > 0 ? graph.FindProducer(bn.Inputs[0]) : null;
            if (conv is not { OpType: "Conv", IsDefaultDomain: true } || conv.Outputs.Count != 1)
            {
                continue; // not a Conv+BN pair: nothing to report
            }

            var reason = WhyNot(model, usage, conv, bn, out var parameters);
            if (reason is not null)
            {
                skipped.Add(new PassSkip(CleanupLog.NameOf(bn), $"BatchNormalization not folded into {CleanupLog.NameOf(conv)}: {reason}"));
                continue;
            }

            Fold(model, names, usage, conv, bn, parameters!);
            changed.Add(new PassChange(CleanupLog.NameOf(bn), string.Create(CultureInfo.InvariantCulture,
                $"BatchNormalization folded into {CleanupLog.NameOf(conv)} ({parameters!.Channels} channels, epsilon {parameters.Epsilon:G3})")));
        }
    }

    private sealed record BatchNormParameters(OnnxTensor Weight, OnnxTensor? Bias, float[] Scale, float[] Shift, float[] Mean, float[] Variance, double Epsilon)
    {
        public int Channels => Scale.Length;
    }

    private static string? WhyNot(OnnxModel model, GraphUsage usage, OnnxNode conv, OnnxNode bn, out BatchNormParameters? parameters)
    {
        parameters = null;
        if (bn.Inputs.Count < 5) return "it has fewer than five inputs";
        if (bn.Outputs.Skip(1).Any(o => o.Length > 0 && usage.IsUsed(o))) return "its training-mode outputs (running mean/variance) are used";
        if (bn.FindAttribute("training_mode")?.Int is { } training && training != 0) return "it is in training mode";
        if (bn.FindAttribute("spatial")?.Int == 0) return "spatial=0 (per-element statistics) is not folded";
        if (FusionGuards.OtherReaders(usage, conv.Outputs[0], bn) is { } other) return other;
        var epsilon = (double)(bn.FindAttribute("epsilon")?.Float ?? 1e-5f);
        if (!double.IsFinite(epsilon) || epsilon < 0) return $"epsilon {epsilon} is not a finite non-negative number";

        var constants = bn.Inputs.Skip(1).Take(4).Select(i => FusionGuards.ConstantFloat(model, i)).ToArray();
        if (Array.IndexOf(constants, null) is var missing and >= 0) return $"its {new[] { "scale", "bias", "mean", "variance" }[missing]} is not a constant float32 initializer";
        var weight = conv.Inputs.Count > 1 ? FusionGuards.ConstantFloat(model, conv.Inputs[1]) : null;
        if (weight is null) return "the Conv weight is not a constant float32 initializer";
        var bias = conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0 ? FusionGuards.ConstantFloat(model, conv.Inputs[2]) : null;
        if (bias is null && conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0) return "the Conv bias is not a constant float32 initializer";

        var arrays = constants.Select(t => t!.ToFloatArray()).ToArray();
        var channels = weight.Dims.Count > 0 ? weight.Dims[0] : -1;
        if (arrays.Any(a => a.Length != channels) || bias is not null && bias.ElementCount != channels)
        {
            return $"parameter sizes do not match the Conv's {channels} output channels";
        }

        if (arrays[3].Any(v => !(v + epsilon > 0))) return "a variance + epsilon is not positive";
        parameters = new BatchNormParameters(weight, bias, arrays[0], arrays[1], arrays[2], arrays[3], epsilon);
        return null;
    }

    /// <summary>BN as a per-channel affine: <c>s = γ / √(var + ε)</c>, <c>y = x · s + (β − mean · s)</c>.</summary>
    private static void Fold(OnnxModel model, UniqueNames names, GraphUsage usage, OnnxNode conv, OnnxNode bn, BatchNormParameters p)
    {
        var scale = new double[p.Channels];
        var shift = new double[p.Channels];
        for (var c = 0; c < p.Channels; c++)
        {
            scale[c] = p.Scale[c] / Math.Sqrt(p.Variance[c] + p.Epsilon);
            shift[c] = p.Shift[c] - p.Mean[c] * scale[c];
        }

        ConvOutputFold.Apply(model, names, usage, conv, p.Weight, p.Bias, scale, shift, [bn], Suffix);
    }
}
