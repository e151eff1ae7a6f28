using Optimizer.Onnx;

namespace Optimizer.Passes.Pruning.Encoders;

/// <summary>
/// Data-free importance: the L1 or L2 norm (the request's <c>Norm</c>) of everything a neuron or head owns.
/// An FFN neuron owns its column of W1 and its row of W2; a head owns its d columns of Q, K and V and its d rows of O.
/// </summary>
internal static class MagnitudeImportance
{
    public static double[] OfNeurons(FfnBlock ffn, PruneNorm norm) =>
        PerFeature(norm, Norms(ffn.Up.Weight, 1, norm), Norms(ffn.Down.Weight, 0, norm));

    public static double[] OfHeads(AttentionBlock attention, PruneNorm norm)
    {
        var perFeature = PerFeature(norm, [.. attention.Splits.Select(s => Norms(s.Projection.Weight, 1, norm)), Norms(attention.Output.Weight, 0, norm)]);
        return Enumerable.Range(0, attention.Heads).Select(h => Together(norm, perFeature.Skip(h * attention.HeadSize).Take(attention.HeadSize))).ToArray();
    }

    private static double[] Norms(OnnxTensor weight, int axis, PruneNorm norm) => FilterRanking.Norms(weight.ToFloatArray(), weight.Dims, axis, norm);

    private static double[] PerFeature(PruneNorm norm, params double[][] parts) =>
        Enumerable.Range(0, parts[0].Length).Select(i => Together(norm, parts.Select(p => p[i]))).ToArray();

    // The norm of several parts' norms taken together: L1 adds, L2 adds squares under one root.
    private static double Together(PruneNorm norm, IEnumerable<double> norms) =>
        norm == PruneNorm.L1 ? norms.Sum() : Math.Sqrt(norms.Sum(n => n * n));
}
