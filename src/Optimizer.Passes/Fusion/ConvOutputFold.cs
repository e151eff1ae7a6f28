using Optimizer.Onnx;
using Optimizer.Passes.Cleanup;

namespace Optimizer.Passes.Fusion;

/// <summary>
/// The one graph edit both Conv folds make (<see cref="ConvBatchNormFolding"/>,
/// <see cref="ConvAffineFolding"/>): the Conv absorbs a per-output-channel affine
/// <c>y = conv(x) · scale[c] + shift[c]</c> as <c>W' = W · scale</c>, <c>b' = b · scale + shift</c>
/// (in double, rounded to float once), writes the value of the last absorbed node, and the
/// absorbed nodes and the initializers only they read are removed.
/// </summary>
internal static class ConvOutputFold
{
    /// <param name="model">The model edited in place.</param>
    /// <param name="names">Gives the copies' names when another node still reads an original.</param>
    /// <param name="usage">Who reads each value (the originals are kept while other nodes read them).</param>
    /// <param name="conv">The Conv that absorbs the affine.</param>
    /// <param name="weight">Its weight initializer [Cout, Cin/group, kH, kW].</param>
    /// <param name="bias">Its bias initializer, or null when it has none (one is added).</param>
    /// <param name="scale">One factor per output channel, or one for all.</param>
    /// <param name="shift">One term per output channel, or one for all.</param>
    /// <param name="absorbed">The nodes after the Conv, in order; the last one's output becomes the Conv's.</param>
    /// <param name="suffix">Added to a folded weight's or bias's name where another node still reads the original.</param>
    public static void Apply(OnnxModel model, UniqueNames names, GraphUsage usage, OnnxNode conv, OnnxTensor weight, OnnxTensor? bias,
        double[] scale, double[] shift, IReadOnlyList<OnnxNode> absorbed, string suffix)
    {
        var graph = model.Graph;
        var channels = (int)weight.Dims[0];
        var weights = weight.ToFloatArray();
        var perChannel = weights.Length / channels;
        var oldBias = bias?.ToFloatArray() ?? new float[channels];
        var newBias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            var s = At(scale, c);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                weights[i] = (float)(weights[i] * s);
            }

            newBias[c] = (float)(oldBias[c] * s + At(shift, c));
        }

        var oldInputs = conv.Inputs.Skip(1).Concat(absorbed.SelectMany(n => n.Inputs)).Where(n => n.Length > 0).Distinct().ToArray();
        while (conv.Inputs.Count < 3) conv.Inputs.Add("");
        if (scale.Any(s => s != 1))
        {
            // A scale changes the weight; only shifts leave it as it is, shared or not.
            conv.Inputs[1] = FoldedInitializer.Store(model, names, usage, conv, weight, weight.Name, suffix, weight.Dims, weights);
        }

        conv.Inputs[2] = FoldedInitializer.Store(model, names, usage, conv, bias, bias?.Name ?? conv.Outputs[0] + "_bias", suffix, [channels], newBias);

        // The Conv writes the last absorbed value; the values in between are gone.
        var gone = absorbed.SkipLast(1).Select(n => n.Outputs[0]).Append(conv.Outputs[0]).ToHashSet(StringComparer.Ordinal);
        graph.ValueInfos.RemoveAll(v => gone.Contains(v.Name));
        conv.Outputs[0] = absorbed[^1].Outputs[0];
        foreach (var node in absorbed)
        {
            graph.Nodes.Remove(node);
        }

        foreach (var name in oldInputs)
        {
            graph.RemoveInitializerIfUnused(name);
        }
    }

    private static double At(double[] values, int channel) => values[values.Length == 1 ? 0 : channel];
}
