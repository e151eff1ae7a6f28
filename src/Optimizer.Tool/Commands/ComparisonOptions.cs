using System.CommandLine;
using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Diagnostics;

namespace Optimizer.Tool.Commands;

/// <summary>The data options <c>verify</c> and <c>report</c> share: what both models are run on.</summary>
internal sealed class ComparisonOptions
{
    public Option<string?> Data { get; } = new("--data", "--validation")
    {
        Description = "Inputs to compare on, any model signature: .npz (one array per input, samples first), a folder of test_data_set_* feeds, or .npy/raw float32 for a single input. Default: 32 generated inputs (an estimate).",
    };

    public Option<string?> Labels { get; } = new("--labels") { Description = "Labels of the --data samples: .npy integers or raw uint8, one per sample." };

    public Option<string[]> Dims { get; } = new("--dim")
    {
        Description = "Size of a symbolic dimension for generated inputs, e.g. --dim sequence_length=128 (repeatable). Default: batch 1, others 128.",
        AllowMultipleArgumentsPerToken = false,
    };

    public IEnumerable<Option> All => [Data, Labels, Dims];

    /// <summary>Checks the combination; <c>--labels</c> needs <c>--data</c>.</summary>
    public (string? Data, string? Labels, SymbolicDimSizes Dims) Read(ParseResult parse)
    {
        var labels = parse.GetValue(Labels);
        var data = parse.GetValue(Data);
        if (labels is not null && data is null)
            throw new EngineException(EngineErrorCodes.Usage, "--labels labels the --validation samples; give --validation too.");
        var dims = parse.GetValue(Dims) is { Length: > 0 } given ? SymbolicDimSizes.Parse(string.Join(";", given), null) : SymbolicDimSizes.None;
        return (data, labels, dims);
    }
}
