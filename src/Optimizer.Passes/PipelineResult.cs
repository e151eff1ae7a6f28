using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>The optimized model and one report per pass, in the order the passes ran.</summary>
/// <param name="Model">The optimized model (a new instance; the input model is unchanged).</param>
/// <param name="Reports">One report per pass run.</param>
public sealed record PipelineResult(OnnxModel Model, IReadOnlyList<PassReport> Reports);
