using System.Text.RegularExpressions;
using Optimizer.Onnx;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>
/// What the encoder pruning tests compare a pruned model with: the original with the removed units'
/// contributions zeroed (W2 rows of removed neurons, output-projection rows of removed heads), which
/// must compute the same thing as the smaller model.
/// </summary>
internal static partial class EncoderPruningChecks
{
    /// <summary>The heads each changed block's report line names as removed, in report order.</summary>
    public static IReadOnlyList<int[]> RemovedHeads(PassReport report) =>
        report.Changed.Select(c => HeadList().Match(c.Detail)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Split(", ").Select(int.Parse).ToArray()).ToList();

    /// <summary>For each column of <paramref name="pruned"/> [rows, kept], the column of <paramref name="original"/> [rows, all] it was copied from.</summary>
    public static int[] KeptColumns(OnnxTensor original, OnnxTensor pruned)
    {
        var (rows, all, kept) = ((int)original.Dims[0], (int)original.Dims[1], (int)pruned.Dims[1]);
        var (a, b) = (original.ToFloatArray(), pruned.ToFloatArray());
        return Enumerable.Range(0, kept)
            .Select(j => Enumerable.Range(0, all).First(i => Enumerable.Range(0, rows).All(r => a[r * all + i] == b[r * kept + j])))
            .ToArray();
    }

    /// <summary>A copy of <paramref name="model"/> whose weight <paramref name="weight"/> [rows, cols] has the given rows zeroed.</summary>
    public static OnnxModel WithRowsZeroed(OnnxModel model, string weight, IEnumerable<int> rows)
    {
        var copy = model.Clone();
        var tensor = copy.Graph.FindInitializer(weight)!;
        var values = tensor.ToFloatArray();
        var cols = (int)tensor.Dims[1];
        foreach (var row in rows)
        {
            Array.Clear(values, row * cols, cols);
        }

        copy.Graph.Initializers[copy.Graph.Initializers.IndexOf(tensor)] = OnnxTensor.FromFloats(weight, tensor.Dims, values);
        return copy;
    }

    public static long Parameters(OnnxModel model) =>
        model.Graph.Initializers.Where(i => i.ElementType == TensorElementType.Float).Sum(i => i.ElementCount);

    public static float MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [GeneratedRegex(@"heads ([\d, ]+) of \d+ removed")]
    private static partial Regex HeadList();
}
