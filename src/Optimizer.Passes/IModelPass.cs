using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>
/// A pass: a function over the IR. It rewrites the model it is given (the pipeline hands it a
/// private copy), reads no files and no global state, and reports what it changed and skipped.
/// </summary>
internal interface IModelPass
{
    /// <summary>Where the pipeline runs it: lower first (clean-up, fusion, pruning, quantization).</summary>
    int Stage { get; }

    /// <summary>Rewrites <paramref name="model"/> in place.</summary>
    PassReport Run(OnnxModel model);
}
