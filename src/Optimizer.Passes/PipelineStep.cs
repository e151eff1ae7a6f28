using Optimizer.Onnx;

namespace Optimizer.Passes;

/// <summary>
/// A step the caller supplies for the pipeline to run after pruning and before quantization
/// (training lives in its own package, which this assembly cannot reference).
/// </summary>
public interface IPipelineStep
{
    /// <summary>Rewrites <paramref name="model"/> (the pipeline's working copy) in place and reports what it did.</summary>
    PassReport Run(OnnxModel model);
}

/// <summary>Runs an <see cref="IPipelineStep"/> at its place in the pipeline.</summary>
internal sealed class PipelineStepPass(IPipelineStep step) : IModelPass
{
    /// <summary>After pruning, before quantization.</summary>
    public int Stage => (int)PipelineStage.Training;

    public PassReport Run(OnnxModel model) => step.Run(model);
}
