namespace Optimizer.Runtime;

/// <summary>
/// Where a pass runs: the pipeline orders passes by stage, whatever order they were declared in
/// (clean-up and fusion first, so BatchNorm is folded before pruning; pruning before training;
/// training before quantization). Checks judge the result and change no graph.
/// </summary>
internal enum PipelineStage
{
    /// <summary>Constant folding, dead code and no-op removal; always runs.</summary>
    Cleanup = 100,

    /// <summary>Conv+BatchNorm and Conv+constant affine folding, MatMul+Add → Gemm; always runs.</summary>
    Fusion = 200,

    /// <summary>Weights zeroed or channels removed.</summary>
    Pruning = 300,

    /// <summary>Fine-tuning and distillation (the Optimizer.Training package).</summary>
    Training = 350,

    /// <summary>Lower-precision weights and activations.</summary>
    Quantization = 400,

    /// <summary>Not a graph pass: a check on the optimized model (accuracy budget).</summary>
    Check = 1000,
}
