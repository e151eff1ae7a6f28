namespace Optimizer.Passes.Data;

/// <summary>
/// Samples that are complete feeds each, whose shapes may differ from one to the next (ONNX's
/// <c>test_data_set_*</c> folders: state inputs, variable sequence lengths). Never batched.
/// The feeds are read on demand by <paramref name="read"/> (sample index → feed tensors), so
/// only one is held at a time.
/// </summary>
public sealed class FeedList(IReadOnlyList<string> inputNames, int count, Func<int, IReadOnlyDictionary<string, DataTensor>> read) : SampleSet
{
    /// <inheritdoc />
    public override int SampleCount => count;

    /// <inheritdoc />
    public override IReadOnlyList<string> InputNames => inputNames;

    /// <inheritdoc />
    public override IEnumerable<Feed> Feeds(int maxBatch)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new Feed(i, 1, read(i), Batched: false);
        }
    }
}
