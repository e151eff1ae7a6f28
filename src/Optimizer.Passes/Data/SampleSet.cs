using System.Security.Cryptography;

namespace Optimizer.Passes.Data;

/// <summary>
/// Samples to run a model on (calibration, validation, timing), already matched to the model's
/// inputs by the caller: each sample is one complete feed. Feeds are made on demand, one batch at
/// a time, so only the (small) input data is held and activations can be streamed.
/// </summary>
public abstract class SampleSet
{
    /// <summary>Where the samples came from, for messages and reports, e.g. <c>48 samples from 'Data/calib.npz'</c>.</summary>
    public required string Source { get; init; }

    /// <summary>True when the samples were generated (no data declared): figures over them are estimates and are labelled so.</summary>
    public bool IsGenerated { get; init; }

    /// <summary>The number of samples.</summary>
    public abstract int SampleCount { get; }

    /// <summary>The model input names every feed carries, in the model's order.</summary>
    public abstract IReadOnlyList<string> InputNames { get; }

    /// <summary>
    /// The samples as feeds, in order: up to <paramref name="maxBatch"/> consecutive samples per
    /// feed where the set allows batching (the model's first axis is symbolic and the samples'
    /// shapes agree), else one sample per feed.
    /// </summary>
    public abstract IEnumerable<Feed> Feeds(int maxBatch);

    /// <summary>SHA-256 over every sample's tensors (names, types, shapes, bytes): equal data gives an equal hash (calibration cache keys).</summary>
    public byte[] ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var feed in Feeds(1))
        {
            foreach (var (name, tensor) in feed.Inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\0"));
                tensor.AppendTo(hash);
            }
        }

        return hash.GetHashAndReset();
    }
}
