namespace Optimizer.Passes.Data;

/// <summary>
/// How one model input's samples are stacked: sample <c>i</c> is row <c>i</c> of
/// <paramref name="Values"/>. With <paramref name="RowIsWholeInput"/> the row is fed as it is (the
/// array had the input's full shape per sample, e.g. a state <c>[2, 1, 64]</c>); otherwise the row
/// keeps a leading axis of 1 (the model's batch axis), and consecutive rows may be batched.
/// </summary>
public sealed record StackedInput(string Name, DataTensor Values, bool RowIsWholeInput);

/// <summary>
/// Samples stacked on the first axis, one array per model input (an <c>.npz</c>, an <c>.npy</c>,
/// raw float32, generated inputs). Batches of consecutive samples are cut only when
/// <see cref="Batchable"/> (the model's first axis is symbolic for every input, and no input is fed whole).
/// </summary>
public sealed class StackedSamples : SampleSet
{
    private readonly IReadOnlyList<StackedInput> _inputs;

    /// <exception cref="ArgumentException">The inputs do not all have the same number of samples, or there are none.</exception>
    public StackedSamples(IReadOnlyList<StackedInput> inputs, bool batchable)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0 || inputs.Any(i => i.Values.Shape.Length == 0))
        {
            throw new ArgumentException("Stacked samples need at least one input, each with a sample axis.", nameof(inputs));
        }

        var count = inputs[0].Values.Shape[0];
        if (inputs.Any(i => i.Values.Shape[0] != count) || count > int.MaxValue)
        {
            throw new ArgumentException("Every input needs the same number of samples.", nameof(inputs));
        }

        _inputs = inputs;
        SampleCount = (int)count;
        Batchable = batchable && inputs.All(i => !i.RowIsWholeInput);
        InputNames = inputs.Select(i => i.Name).ToArray();
    }

    /// <inheritdoc />
    public override int SampleCount { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> InputNames { get; }

    /// <summary>Whether consecutive samples may share a feed.</summary>
    public bool Batchable { get; }

    /// <summary>The stacked arrays, one per input.</summary>
    public IReadOnlyList<StackedInput> Inputs => _inputs;

    /// <inheritdoc />
    public override IEnumerable<Feed> Feeds(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        var step = Batchable ? maxBatch : 1;
        for (var start = 0; start < SampleCount; start += step)
        {
            var count = Math.Min(step, SampleCount - start);
            var tensors = new Dictionary<string, DataTensor>(StringComparer.Ordinal);
            foreach (var input in _inputs)
            {
                var rows = input.Values.SliceFirstAxis(start, count);
                tensors[input.Name] = input.RowIsWholeInput ? rows.Reshape(rows.Shape[1..]) : rows;
            }

            yield return new Feed(start, count, tensors, Batched: !_inputs.Any(i => i.RowIsWholeInput));
        }
    }
}
