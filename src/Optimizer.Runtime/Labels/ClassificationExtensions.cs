using System.Numerics.Tensors;

namespace Optimizer.Runtime;

/// <summary>Turning a classifier's scores into answers: probabilities (<see cref="Softmax"/>) and the best classes with their labels (<see cref="TopK"/>).</summary>
public static class ClassificationExtensions
{
    /// <summary>A new tensor of the same shape with the softmax of each row along the last axis (each row sums to 1).</summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar or its last axis is empty.</exception>
    public static ModelTensor<float> Softmax(this ModelTensor<float> logits)
    {
        int width = Width(logits, nameof(Softmax));
        var result = new float[logits.Length];
        for (int offset = 0; offset < result.Length; offset += width)
        {
            TensorPrimitives.SoftMax(logits.Span.Slice(offset, width), result.AsSpan(offset, width));
        }

        return new ModelTensor<float>(result, logits.GetShape());
    }

    /// <summary>
    /// The <paramref name="k"/> highest scores of a single row (shape <c>[classes]</c> or
    /// <c>[1, classes]</c>), best first (the lower index first on ties), with their labels.
    /// </summary>
    /// <param name="scores">Logits or probabilities of one sample.</param>
    /// <param name="k">How many classes to return; fewer when the row has fewer.</param>
    /// <param name="labels">One name per class, e.g. the model's <see cref="OnnxModelBase.Labels"/>; <see langword="null"/> leaves <see cref="Prediction.Label"/> empty.</param>
    /// <exception cref="InvalidOperationException">The tensor holds more than one row (use <see cref="TopKPerRow"/>).</exception>
    /// <exception cref="ArgumentException">The labels do not name every class.</exception>
    public static Prediction[] TopK(this ModelTensor<float> scores, int k, IReadOnlyList<string>? labels = null)
    {
        int width = Width(scores, nameof(TopK));
        if (scores.Length != width)
        {
            throw new InvalidOperationException($"TopK ranks one row; {scores} holds {scores.Length / width} rows. Call TopKPerRow for a batch.");
        }

        return Rank(scores.Span, k, labels);
    }

    /// <summary>For each row along the last axis (e.g. each sample of <c>[batch, classes]</c>), the <paramref name="k"/> highest scores, best first.</summary>
    /// <inheritdoc cref="TopK" path="/param"/>
    public static Prediction[][] TopKPerRow(this ModelTensor<float> scores, int k, IReadOnlyList<string>? labels = null)
    {
        int width = Width(scores, nameof(TopKPerRow));
        var rows = new Prediction[scores.Length / width][];
        for (int row = 0; row < rows.Length; row++)
        {
            rows[row] = Rank(scores.Span.Slice(row * width, width), k, labels);
        }

        return rows;
    }

    private static Prediction[] Rank(ReadOnlySpan<float> row, int k, IReadOnlyList<string>? labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (labels is not null && labels.Count != row.Length)
        {
            throw new ArgumentException($"The model has {row.Length} classes but {labels.Count} labels; pass one label per class.", nameof(labels));
        }

        int[] order = new int[row.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        float[] values = row.ToArray();
        Array.Sort(order, (a, b) => values[b] != values[a] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        return order.Take(k).Select(i => new Prediction(labels?[i], i, values[i])).ToArray();
    }

    private static int Width(ModelTensor<float> tensor, string operation)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank == 0 || tensor.Shape[^1] == 0)
        {
            throw new InvalidOperationException($"{operation} needs a tensor whose last axis is not empty; got {tensor}.");
        }

        return tensor.Shape[^1];
    }
}
