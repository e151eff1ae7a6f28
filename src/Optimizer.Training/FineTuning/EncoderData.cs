using Optimizer.Passes.Data;
using Optimizer.Training.Conversion;
using TorchSharp;
using static TorchSharp.torch;

namespace Optimizer.Training.FineTuning;

/// <summary>
/// Every model input's samples as one torch tensor each (samples first), and the batches cut from
/// them. When the model has an attention mask, a batch is cut to its longest sentence: padding
/// past every sentence's end changes no pooled embedding (the mask keeps it out of attention and
/// pooling) but would cost most of the time at a sequence length padded for the longest sample.
/// </summary>
internal sealed class EncoderData : IDisposable
{
    private readonly Dictionary<string, Tensor> _inputs;

    private EncoderData(Dictionary<string, Tensor> inputs, string? maskName)
    {
        _inputs = inputs;
        MaskName = maskName;
        Count = (int)inputs.Values.First().shape[0];
    }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The attention-mask input, or null (pooling is then a plain mean over tokens).</summary>
    public string? MaskName { get; }

    /// <summary>The samples of <paramref name="samples"/> stacked by input name (every feed joined on the first axis).</summary>
    /// <exception cref="Passes.PassException">An input missing from the data, or the named attention mask not among the inputs (OPT1073).</exception>
    public static EncoderData From(SampleSet samples, IReadOnlyList<string> inputNames, string? maskName, string option)
    {
        Native.TorchNativeLibrary.EnsureLoaded();
        var missing = inputNames.Where(n => !samples.InputNames.Contains(n, StringComparer.Ordinal)).ToArray();
        if (missing.Length > 0)
            throw TrainingException.Create(TrainingErrorCodes.DataInvalid, $"{option} has no array for the model input{(missing.Length == 1 ? "" : "s")} {string.Join(", ", missing)}. Give one array per model input, named like it.");
        var parts = inputNames.ToDictionary(n => n, _ => new List<Tensor>(), StringComparer.Ordinal);
        foreach (var feed in samples.Feeds(Math.Max(1, samples.SampleCount)))
            foreach (var name in inputNames) parts[name].Add(ElementTypes.ToTorch(feed.Inputs[name]));
        var inputs = parts.ToDictionary(p => p.Key, p => p.Value.Count == 1 ? p.Value[0] : torch.cat(p.Value.ToArray(), 0), StringComparer.Ordinal);
        return new EncoderData(inputs, MaskInput(inputNames, maskName));
    }

    /// <summary>One float input's samples (the single-input data files), shaped as read ([count, .. sample]).</summary>
    public static EncoderData From(string inputName, Passes.Calibration.CalibrationDataSet samples)
    {
        Native.TorchNativeLibrary.EnsureLoaded();
        return new(new(StringComparer.Ordinal) { [inputName] = torch.tensor(samples.Values, samples.Shape.ToArray()) }, null);
    }

    /// <summary>The declared mask input, else <c>attention_mask</c> when the model has it, else none.</summary>
    public static string? MaskInput(IReadOnlyList<string> inputNames, string? declared)
    {
        if (declared is not null)
            return inputNames.Contains(declared, StringComparer.Ordinal) ? declared
                : throw TrainingException.Create(TrainingErrorCodes.InvalidOption, $"[Distill] AttentionMask '{declared}' is not an input of the model (its inputs: {string.Join(", ", inputNames)}).");
        return inputNames.FirstOrDefault(n => n == "attention_mask");
    }

    /// <summary>The samples at <paramref name="index"/> (int64 positions), cut to their longest sentence.</summary>
    public Dictionary<string, Tensor> Batch(Tensor index) => Trim(_inputs.ToDictionary(i => i.Key, i => i.Value.index_select(0, index), StringComparer.Ordinal));

    /// <summary>Samples <paramref name="start"/> … start+length−1, cut to their longest sentence.</summary>
    public Dictionary<string, Tensor> Slice(long start, long length) => Trim(_inputs.ToDictionary(i => i.Key, i => i.Value.narrow(0, start, length), StringComparer.Ordinal));

    /// <summary>The batch's attention mask as float [batch, tokens], or null.</summary>
    public Tensor? Mask(IReadOnlyDictionary<string, Tensor> batch) => MaskName is null ? null : batch[MaskName].to_type(ScalarType.Float32);

    private Dictionary<string, Tensor> Trim(Dictionary<string, Tensor> batch)
    {
        if (MaskName is null || batch[MaskName] is not { } mask || mask.dim() != 2) return batch;
        var length = mask.shape[1];
        var used = mask.ne(0).any(0).nonzero();
        var keep = used.numel() == 0 ? 1 : used.max().item<long>() + 1;
        if (keep == length) return batch;
        return batch.ToDictionary(i => i.Key, i => i.Value.dim() >= 2 && i.Value.shape[1] == length ? i.Value.narrow(1, 0, keep) : i.Value, StringComparer.Ordinal);
    }

    public void Dispose()
    {
        foreach (var t in _inputs.Values) t.Dispose();
    }
}
