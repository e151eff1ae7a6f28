namespace Optimizer.Engine.Verification;

/// <summary>
/// Arg-max agreement (and top-1 with labels) of one logits output, fed sample by sample. Rows are
/// the output's last axis; labels, when given, label the rows in order.
/// </summary>
internal sealed class ClassificationStatistics(string output, int classes, int[]? labels)
{
    private int _rows, _same, _correctOriginal, _correctOptimized;

    public string Output => output;

    public int Classes => classes;

    public void Add(ReadOnlySpan<float> original, ReadOnlySpan<float> optimized)
    {
        for (var r = 0; r + classes <= original.Length; r += classes)
        {
            var a = ArgMax(original.Slice(r, classes));
            var b = ArgMax(optimized.Slice(r, classes));
            _same += a == b ? 1 : 0;
            if (labels is not null && _rows < labels.Length)
            {
                _correctOriginal += a == labels[_rows] ? 1 : 0;
                _correctOptimized += b == labels[_rows] ? 1 : 0;
            }

            _rows++;
        }
    }

    public double Agreement => _rows == 0 ? 1 : (double)_same / _rows;

    /// <summary>Top-1 of both models when there is one label per row.</summary>
    public (double Original, double Optimized)? Top1 => labels is not null && _rows == labels.Length && _rows > 0
        ? ((double)_correctOriginal / _rows, (double)_correctOptimized / _rows)
        : null;

    /// <summary>
    /// Whether an output of this shape is class scores: <c>[N, C ≥ 2]</c> (logits); with labels, any output
    /// whose last axis has ≥ 2 entries. An encoder's <c>[batch, seq, hidden]</c> is not a classifier.
    /// </summary>
    public static bool LooksLikeLogits(long[] shape, bool labelled) =>
        shape.Length >= 1 && shape[^1] >= 2 && (shape.Length == 2 || labelled);

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }

        return best;
    }
}
