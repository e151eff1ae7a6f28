namespace Optimizer.Runtime;

/// <summary>How many scales static INT8 gives each weight tensor.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum WeightGranularity
{
    /// <summary>
    /// The default: per output channel, except a layer whose per-tensor quantization error is
    /// within 1 dB (SQNR) of per-channel, which gets one scale and a smaller file.
    /// </summary>
    Auto,

    /// <summary>One scale per output channel.</summary>
    PerChannel,

    /// <summary>One scale per tensor: smallest file, usually less accurate.</summary>
    PerTensor,
}
